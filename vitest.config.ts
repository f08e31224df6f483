import { defineConfig } from 'vitest/config';

// One runner for the whole repo. Unit and integration tests live beside each package's code
// (`*.test.ts`) or in its `test/`; end-to-end tests across packages live in `e2e/`; the
// benchmarks' analysis helpers are tested beside them in `bench/lib/`, the structure rules
// (.dependency-cruiser.cjs) in `scripts/`.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.{ts,tsx}',
      'packages/*/test/**/*.test.{ts,tsx}',
      'e2e/**/*.test.ts',
      'bench/lib/*.test.mjs',
      'scripts/*.test.mjs',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: integration tests start real servers and CLIs; keep the parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
