/**
 * The media testbed page (test/e2e/helpers/testbed.ts builds it with this folder as Vite's root).
 * Like the web client, it resolves @diemcau/shared to its sources: nothing else builds shared/dist.
 */
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
});
