// Runs every check in order and ends with one line "N passed, M failed" summing the
// unit (vitest) and end-to-end (Playwright) counts. Exits non-zero if anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const steps = [
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['build', 'npm', ['run', 'build']],
  ['build:lib', 'npm', ['run', 'build:lib']],
  ['unit', 'npx', ['vitest', 'run']],
  ['e2e', 'npx', ['playwright', 'test']],
];

// Reports live apart from test-results/, which Playwright empties when it starts.
rmSync('test-reports', { recursive: true, force: true });
mkdirSync('test-reports', { recursive: true });

const failedSteps = [];
for (const [name, command, args] of steps) {
  if (name === 'e2e' && failedSteps.includes('build')) {
    failedSteps.push('e2e (skipped: no build)');
    continue;
  }
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  console.log(`=== ${name}: ${status === 0 ? 'ok' : `failed (exit ${status})`} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (status !== 0) failedSteps.push(name);
}

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

const unit = readJson('test-reports/unit.json');
const e2e = readJson('test-reports/e2e.json');
const passed = (unit?.numPassedTests ?? 0) + (e2e?.stats?.expected ?? 0) + (e2e?.stats?.flaky ?? 0);
let failed = (unit?.numFailedTests ?? 0) + (e2e?.stats?.unexpected ?? 0);
const skipped = (unit?.numPendingTests ?? 0) + (unit?.numTodoTests ?? 0) + (e2e?.stats?.skipped ?? 0);
// A step that failed without a failing test (lint, build, a crashed runner) still counts.
for (const step of failedSteps) {
  const counted = (step === 'unit' && (unit?.numFailedTests ?? 0) > 0) || (step === 'e2e' && (e2e?.stats?.unexpected ?? 0) > 0);
  if (!counted) {
    console.log(`step failed without a test failure: ${step}`);
    failed += 1;
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
