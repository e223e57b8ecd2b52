// Reads vitest's JSON report and prints what CI must not hide: failed tests, failed suites
// (a beforeAll, an import or an afterAll that threw: vitest then marks the suite's tests skipped,
// not failed), skipped and todo tests. Ends with the plain line "N passed, N failed, N skipped",
// where "failed" also counts every test that could not run because its suite failed and one per
// failed suite that holds no test. Exits 1 when anything failed, and in CI (CI=true) also when
// anything was skipped or left todo: CI installs everything the tests need, so a skip there
// means a test that silently did not run.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
/** vitest's exit code: non-zero also for errors outside any test (unhandled rejections). */
const vitestStatus = Number(process.argv[3] ?? 0);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const where = (file) => relative(process.cwd(), file);

const failedTests = [];
const failedSuites = [];
const notRun = [];
const skipped = [];
/** Failed suites none of whose tests count as failed otherwise (an import error, an afterAll). */
let suiteFailures = 0;
for (const file of report.testResults) {
  const fileFailed = file.status === 'failed';
  const failedHere = file.assertionResults.filter((t) => t.status === 'failed');
  const notRunHere = file.assertionResults.filter((t) => t.status !== 'passed' && t.status !== 'failed');
  for (const t of failedHere) failedTests.push(`${where(file.name)} > ${t.fullName}`);
  if (fileFailed && failedHere.length === 0) {
    // The suite itself failed (a hook or the import): its tests never ran.
    const blocks = [...new Set(notRunHere.map((t) => t.ancestorTitles.join(' > ')).filter((b) => b))];
    const suite = blocks.length > 0 ? `${where(file.name)} > ${blocks.join(', ')}` : where(file.name);
    failedSuites.push(`${suite}: ${file.message || 'a beforeAll/afterAll hook threw (its error is printed above)'}`);
    for (const t of notRunHere) notRun.push(`${where(file.name)} > ${t.fullName}`);
    if (notRunHere.length === 0) suiteFailures++;
  } else {
    for (const t of notRunHere) skipped.push(`${where(file.name)} > ${t.fullName} (${t.status})`);
  }
}

const list = (title, items) => {
  if (items.length === 0) return;
  console.log(`\n${title} (${items.length}):`);
  for (const item of items) console.log(`  - ${item}`);
};
list('FAILED TESTS', failedTests);
list('FAILED SUITES (their tests did not run)', failedSuites);
list('TESTS THAT DID NOT RUN BECAUSE THEIR SUITE FAILED', notRun);
list(inCi ? 'SKIPPED OR TODO IN CI (not allowed: every test must run here)' : 'SKIPPED OR TODO (allowed on a developer machine, not in CI)', skipped);
if (report.numTotalTests === 0) console.log('\nNO TESTS RAN');
// Errors outside any test (an unhandled rejection, a worker that died) fail the run without
// failing a test: count them once so that the line cannot read "0 failed".
const outsideTests = vitestStatus !== 0 && failedTests.length + notRun.length === 0 && !report.testResults.some((f) => f.status === 'failed') ? 1 : 0;
if (outsideTests) console.log(`\nvitest exited with ${vitestStatus}: an error outside any test (see "Unhandled Errors" above)`);

const failedCount = failedTests.length + notRun.length + suiteFailures + outsideTests;
const ok = vitestStatus === 0 && report.success && failedCount === 0 && report.numTotalTests > 0 && (!inCi || skipped.length === 0);
console.log(`\n${report.numPassedTests} passed, ${failedCount} failed, ${skipped.length} skipped`);
process.exit(ok ? 0 : 1);
