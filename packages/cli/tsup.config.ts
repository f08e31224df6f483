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
  // Our protocol package ships TypeScript sources: bundle it (zod stays external: the MCP SDK
  // shares it). The live screen's libraries are bundled too, as production builds: Node's
  // module loader resolving and reading their ~150 files one by one was half of the time from
  // Enter to the first words on screen (BENCHMARKS.md, hybrid mode). `ws` and `dotenv` are
  // CommonJS: imported from node_modules, Node scans each of their files for export names before
  // the session's socket can open; bundled, they are plain code in our chunks. Other npm
  // dependencies stay external and load from node_modules.
  noExternal: ['@codevf/protocol', 'ink', 'react', /^react\//, 'react-reconciler', 'scheduler', 'ws', 'dotenv'],
  // Ink loads React DevTools only when DEV=true; it is not installed, so that chunk stays lazy.
  external: ['react-devtools-core'],
  sourcemap: false,
  minify: false,
  shims: false,
  // Inlined so that `codevf --version` is one small file that imports nothing of ours.
  define: { __CODEVF_VERSION__: JSON.stringify(version), 'process.env.NODE_ENV': '"production"' },
  // The bundled CommonJS parts of the screen's libraries call require() for Node built-ins
  // (events, assert); an ES module has none, so each file gets one (a built-in, no I/O).
  banner: {
    js: "import { createRequire as __cvfCreateRequire } from 'node:module'; const require = __cvfCreateRequire(import.meta.url);",
  },
  // src/index.ts starts with the shebang; tsup keeps it and marks the file executable.
});
