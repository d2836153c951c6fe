import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Builds the dashboard to static files in `dist/web`, served by `gridflex serve`. */
export default defineConfig({
  root: webRoot,
  base: './',
  build: {
    outDir: `${projectRoot}dist/web`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `vite --config src/web/vite.config.ts` in development: forward the API to a running `gridflex serve`.
    proxy: { '/api': process.env.GRIDFLEX_API_URL ?? 'http://127.0.0.1:8080' },
  },
});
