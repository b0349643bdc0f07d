import { defineConfig } from 'vite';

const api = 'http://localhost:3000';

/**
 * Preact through esbuild's automatic JSX runtime: no extra plugin needed.
 * The shared package is imported mostly for types; its TypeBox schemas are
 * side-effect free, so marking it lets Rollup drop whatever the client does not use.
 */
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/q/': api,
      '/socket.io': { target: api, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // mediasoup-client is imported dynamically, so it lands in its own chunk that only live views load.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      treeshake: {
        moduleSideEffects: (id) => !/[\\/](shared[\\/]src|typebox)[\\/]/.test(id),
      },
    },
  },
});
