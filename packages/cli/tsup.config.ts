import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { codevf: 'src/index.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  outDir: 'dist',
  clean: true,
  // Each command (and the heavy libraries it imports dynamically: Ink/React, prompts) lands in
  // its own chunk, loaded only when that command runs: `--version` and `whoami` stay small.
  splitting: true,
  // Our protocol package ships TypeScript sources: bundle it (and zod with it, in the chunks
  // that need it). npm dependencies of the CLI stay external and load from node_modules.
  noExternal: ['@codevf/protocol'],
  sourcemap: false,
  minify: false,
  shims: false,
  // src/index.ts starts with the shebang; tsup keeps it and marks the file executable.
});
