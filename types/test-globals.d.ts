// Tests read JSON bodies whose shape they then assert on; `any` keeps those assertions readable.
// Only the test typecheck (tsconfig.test.json) sees this file; product code gets `unknown`.
interface Response {
  json(): Promise<any>;
}
