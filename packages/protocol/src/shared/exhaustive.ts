/**
 * Marks the end of a switch that handles every member of a union: the call compiles only while
 * `value` is `never`, so adding a member without handling it fails the typecheck. At run time
 * (a value the types did not foresee) it leaves `fallback` unchanged instead of throwing.
 */
export function unhandled<S>(_value: never, fallback: S): S {
  return fallback;
}
