import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The server serves `dist/` at `/` under a strict Content-Security-Policy (no inline scripts or
// styles), so the build must emit only external files: Vite does that by default, and the app
// itself never sets `style=` attributes.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Source maps stay out of the served bundle; they are not needed to run the console.
    sourcemap: false,
    // A data: URL for a small asset would need `img-src data:` at best and `font-src data:` at
    // worst; keep every asset a real file under the CSP.
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev -w packages/console` against a server started with `npm start`.
    proxy: {
      '/v1': { target: 'http://127.0.0.1:7878', ws: true },
      '/oauth': 'http://127.0.0.1:7878',
    },
  },
});
