import { copyFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'test/index': 'src/test/index.ts' },
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // The Qoder stand-in is a plain script that `installQoderStub()` copies; ship it beside the bundle.
  onSuccess: async () => {
    await copyFile('src/test/qoder-cli-stub.mjs', 'dist/test/qoder-cli-stub.mjs');
  },
});
