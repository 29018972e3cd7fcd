import { defineConfig } from 'tsup';

const shared = { format: ['esm' as const], sourcemap: true, target: 'node20' };

export default defineConfig([
  // The library entry.
  { ...shared, entry: { index: 'src/index.ts' }, dts: true },
  // The command: the same code behind a shebang banner (tsup marks it executable).
  { ...shared, entry: { bin: 'src/bin.ts' }, banner: { js: '#!/usr/bin/env node' } },
]);
