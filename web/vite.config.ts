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
    // Bundled so the app works on a network without internet; the media bundle is split out.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      treeshake: {
        moduleSideEffects: (id) => !/[\\/](shared[\\/]src|typebox)[\\/]/.test(id),
      },
      output: {
        manualChunks: (id) => (id.includes('mediasoup-client') ? 'mediasoup' : undefined),
      },
    },
  },
});
