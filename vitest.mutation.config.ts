import { readdirSync, readFileSync } from 'node:fs';
import type { RunnerTestCase, RunnerTestSuite } from 'vitest';
import { defineConfig } from 'vitest/config';
import type { Vitest } from 'vitest/node';
import type { Reporter } from 'vitest/reporters';

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
  // MUTATION_TESTS=a,b narrows the run to the test files whose names contain one of the words:
  // for a run of a few core files (`--mutate`), the only tests that import them.
  .filter((f) => (process.env.MUTATION_TESTS ?? '').split(',').some((word) => f.includes(word)))
  .sort()
  .map((f) => `test/unit/${f}`);

/**
 * Counts a test file that fails outside its tests as one failed test. Stryker's vitest runner
 * scores a mutant from the tests that have a result, and a file whose import or file-level
 * beforeAll throws (a mutant that breaks the code a file runs to build its fixtures) has none:
 * its tests are never run, and the mutant would be reported as survived although the suite
 * fails on it (stryker-mutator/stryker-js#6150).
 */
function testsOf(suite: RunnerTestSuite): RunnerTestCase[] {
  return suite.tasks.flatMap((task) => (task.type === 'suite' ? testsOf(task) : task.type === 'test' ? [task] : []));
}

class FileLevelFailure implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(): void {
    for (const file of this.vitest?.state.getFiles() ?? []) {
      if (file.result?.state !== 'fail' || testsOf(file).some((t) => t.result?.state === 'fail')) continue;
      const failed = {
        type: 'test',
        id: `${file.id}_load`,
        name: 'the file loads and its beforeAll hooks pass',
        mode: 'run',
        meta: {},
        file,
        suite: file,
        timeout: 0,
        annotations: [],
        artifacts: [],
        result: { state: 'fail', errors: file.result.errors ?? [] },
      };
      // The runner only reads a finished test's name, state and errors; vitest's own context
      // object exists only while a test runs.
      file.tasks.push(failed as unknown as RunnerTestCase);
    }
  }
}

export default defineConfig({
  test: {
    include: coreTests,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', new FileLevelFailure()],
  },
});
