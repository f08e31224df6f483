/**
 * The repository's structure, checked by `npm run structure` (part of `npm test`):
 *   depcruise packages e2e bench --config .dependency-cruiser.cjs
 * Workspace names (`@codevf/protocol`) resolve through the workspace links in node_modules to
 * the packages' TypeScript sources, so a rule about `packages/protocol/` also catches an import
 * by package name. Type-only imports count for every rule; a cycle closed only by one is a warning.
 * scripts/structure.test.mjs proves that each rule fails on a fixture that breaks it.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles-in-src',
      severity: 'error',
      comment:
        'Product code has no import cycles that run: each module can be loaded, read and tested after what it imports.',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-type-only-cycles-in-src',
      severity: 'error',
      comment:
        'A cycle closed by an `import type` does not break loading but still ties two modules into one: move the shared types into a file both import.',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'protocol-imports-no-workspace-package',
      severity: 'error',
      comment: 'The protocol is the contract the others depend on; it depends on none of them.',
      from: { path: '^packages/protocol/' },
      to: { path: '^(packages/(?!protocol/)|e2e/|bench/)' },
    },
    {
      name: 'only-server-tests-import-server',
      severity: 'error',
      comment:
        'No other package (source or tests) imports the server; its own tests, e2e and bench may. A CLI test that needs a real server runs the built binary or lives in e2e/.',
      from: { path: '^packages/(?!server/)' },
      to: { path: '^packages/server/' },
    },
    {
      name: 'packages-do-not-import-e2e-or-bench',
      severity: 'error',
      comment: 'Test support flows one way: e2e and bench use the packages and their test support, never the reverse.',
      from: { path: '^packages/' },
      to: { path: '^(e2e|bench)/' },
    },
    {
      name: 'product-code-does-not-import-tests',
      severity: 'error',
      comment: "What ships never depends on a package's tests or their support code.",
      from: { path: '^packages/[^/]+/src/', pathNot: '\\.test\\.tsx?$' },
      to: { path: '(^packages/[^/]+/test/|\\.test\\.tsx?$)' },
    },
    {
      name: 'no-unresolvable-relative-imports',
      severity: 'error',
      comment: 'A relative import that resolves to nothing would let a rule above pass by not seeing the file.',
      from: {},
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|test-results|\\.codevf-data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
