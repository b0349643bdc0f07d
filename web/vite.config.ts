import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const api = 'http://localhost:3000';

/**
 * Writes `.br` and `.gz` next to every compressible file of the build, once, at maximum
 * compression: the server sends them as they are (@fastify/static `preCompressed`), so no
 * request pays for compression and slow commune links get the smallest bytes.
 */
function precompress(): Plugin {
  let outDir = '';
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
  return {
    name: 'diemcau-precompress',
    apply: 'build',
    configResolved: (c) => void (outDir = join(c.root, c.build.outDir)),
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!/\.(js|mjs|css|html|svg|json|txt|webmanifest)$/.test(file)) continue;
        const raw = readFileSync(file);
        if (raw.length < 512) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
      }
    },
  };
}

/**
 * Preact through esbuild's automatic JSX runtime: no extra plugin needed.
 * The shared package is imported mostly for types; its TypeBox schemas are
 * side-effect free, so marking it lets Rollup drop whatever the client does not use.
 */
export default defineConfig({
  root: import.meta.dirname,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // `source` makes @diemcau/shared resolve to its TypeScript sources (its default export is the compiled server copy).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  plugins: [precompress()],
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
