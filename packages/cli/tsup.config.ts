import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: { codevf: 'src/index.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  outDir: 'dist',
  // Not cleaned: test runs build while other runs execute dist/codevf.js, and a clean would
  // delete chunks under them. Old hashed chunks are never referenced again (dist is ignored by git).
  clean: false,
  // Each command (and the heavy libraries it imports dynamically: Ink/React, prompts) lands in
  // its own chunk, loaded only when that command runs: `--version` and `whoami` stay small.
  splitting: true,
  // Our protocol package ships TypeScript sources: bundle it (and zod with it, in the chunks
  // that need it). npm dependencies of the CLI stay external and load from node_modules.
  noExternal: ['@codevf/protocol'],
  sourcemap: false,
  minify: false,
  shims: false,
  // Inlined so that `codevf --version` is one small file with no imports at all.
  define: { __CODEVF_VERSION__: JSON.stringify(version) },
  // src/index.ts starts with the shebang; tsup keeps it and marks the file executable.
});
