import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * The tests a mutation run of src/core uses (`npm run mutation`, stryker.config.json): every
 * unit test that imports the core, except those that start processes. Integration and
 * end-to-end suites are left out: they exercise the core through real nodes, too slowly to run
 * once per mutant.
 */
const UNIT = new URL('./test/unit/', import.meta.url);
const coreTests = readdirSync(UNIT)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => {
    const source = readFileSync(new URL(f, UNIT), 'utf8');
    return source.includes("from '../../src/core/") && !/node:child_process|\bspawn/.test(source);
  })
  .sort()
  .map((f) => `test/unit/${f}`);

export default defineConfig({
  test: {
    include: coreTests,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
