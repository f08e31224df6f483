import { defineConfig } from 'tsup';

// The server ships as one ESM file per entry; npm dependencies stay external (native
// better-sqlite3 cannot be bundled), the workspace's protocol package is bundled in.
export default defineConfig({
  entry: { main: 'src/main.ts', app: 'src/app.ts' },
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  clean: true,
  sourcemap: true,
  noExternal: ['@codevf/protocol'],
  banner: { js: '' },
});
