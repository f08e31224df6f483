import { cpSync, existsSync } from 'node:fs';
import { defineConfig } from 'tsup';

const CONSOLE_BUILD = new URL('../console/dist/', import.meta.url);

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
  // The built console goes inside dist/, so the published package (and `npx codevf-server
  // start`) serves it without the repository; `npm run build` builds the console first.
  async onSuccess() {
    if (existsSync(new URL('index.html', CONSOLE_BUILD))) {
      cpSync(CONSOLE_BUILD, new URL('./dist/console/', import.meta.url), { recursive: true });
    } else {
      console.warn('console not built (packages/console/dist): dist/console left out');
    }
  },
});
