// Prints the closing line CI reads, "N passed, N failed[, N skipped]", from vitest's JSON report.
// When typecheck or lint fails, vitest never runs: that counts as one failure, not as silence.
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, statusText] = process.argv.slice(2);
const status = Number(statusText ?? '0');

if (!reportPath || !existsSync(reportPath)) {
  if (status !== 0) console.log('ci: typecheck, lint or the test runner failed before any test ran');
  console.log(`0 passed, ${status === 0 ? 0 : 1} failed`);
  process.exit(0);
}

const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const suites = report.testResults ?? [];
// A file that fails to import has no failed test of its own but is a failure all the same.
const brokenFiles = suites.filter(
  (suite) =>
    suite.status === 'failed' && !(suite.assertionResults ?? []).some((test) => test.status === 'failed'),
).length;
const passed = report.numPassedTests ?? 0;
let failed = (report.numFailedTests ?? 0) + brokenFiles;
if (status !== 0 && failed === 0) failed = 1;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
