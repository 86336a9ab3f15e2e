/**
 * The batch report: 4 jobs on 2 workers (one of them refused at once: no video in an MP3)
 * give a report whose figures agree with the jobs' own times, and a timeline with one bar
 * per job in a lane where it overlaps no other; it saves as JSON and SVG; the speed learnt
 * from the batch is kept for the next estimate, across a reload.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { addFiles, allJobs, jobsIn, openApp, pressEncode, setWorkers, tickPresets, waitForAllFinished } from './app-page';

test.use({ viewport: { width: 1100, height: 900 } });

let outDir: string;
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-report-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

interface StatJob {
  id: string;
  state: string;
  startedAt: number | null;
  endedAt: number | null;
}

function statJobs(page: Page): Promise<StatJob[]> {
  return page.evaluate(() => (window as unknown as { ffbatchStats: { jobs(): StatJob[] } }).ffbatchStats.jobs());
}

async function numberAttr(page: Page, selector: string, name: string): Promise<number> {
  const value = await page.locator(selector).getAttribute(name);
  expect(value, `${selector} has ${name}`).not.toBeNull();
  return Number(value);
}

async function estimate(page: Page): Promise<{ seconds: number; text: string }> {
  const hint = page.locator('[data-estimate-seconds]');
  await expect(hint).toBeVisible({ timeout: 60_000 });
  return { seconds: Number(await hint.getAttribute('data-estimate-seconds')), text: (await hint.textContent()) ?? '' };
}

test('report of 4 jobs on 2 workers agrees with the job times; saved as JSON and SVG; speeds learnt', async ({ page }, testInfo) => {
  await openApp(page);
  const report = page.locator('[data-report]');
  // Folded away until a batch has run.
  await expect(report).toBeHidden();
  await setWorkers(page, 2);
  await addFiles(page, [fixture('good.mp3'), fixture('Big_Buck_Bunny_180_10s.webm')]);
  await tickPresets(page, ['mp3-audio', 'mp4-h264-480p']);
  const before = await estimate(page);
  expect(before.seconds).toBeGreaterThan(0);
  expect(before.text).toContain('on 2 workers');

  await pressEncode(page);
  await waitForAllFinished(page, 4);
  expect((await jobsIn(page, 'done').count()) + (await jobsIn(page, 'failed').count())).toBe(4);
  await expect(report).toBeVisible();
  // The report redraws on the next frame after the last change.
  await expect(report).not.toHaveAttribute('data-running', /.*/);

  const jobs = await statJobs(page);
  expect(jobs).toHaveLength(4);
  const starts = jobs.map((j) => j.startedAt ?? NaN);
  const ends = jobs.map((j) => j.endedAt ?? NaN);
  const wall = (Math.max(...ends) - Math.min(...starts)) / 1000;
  const encode = jobs.reduce((sum, j) => sum + ((j.endedAt ?? 0) - (j.startedAt ?? 0)) / 1000, 0);

  const wallAttr = await numberAttr(page, '[data-report]', 'data-wall-seconds');
  const encodeAttr = await numberAttr(page, '[data-report]', 'data-encode-seconds');
  const speedupAttr = await numberAttr(page, '[data-report]', 'data-speedup');
  expect(await numberAttr(page, '[data-report]', 'data-workers')).toBe(2);
  expect(Math.abs(wallAttr - wall)).toBeLessThan(0.01);
  expect(Math.abs(encodeAttr - encode)).toBeLessThan(0.01);
  expect(Math.abs(speedupAttr - encode / wall) / (encode / wall)).toBeLessThan(0.05);
  // No wall-clock claim here (speed belongs in `npm run bench`); only what the figures imply:
  // jobs in 2 lanes that never overlap sum to at most 2 × the wall time.
  expect(speedupAttr).toBeGreaterThan(0);
  expect(speedupAttr).toBeLessThanOrEqual(2.01);

  // One bar per job, each in a lane (0 or 1) where it overlaps no other bar.
  const bars = await report.locator('svg [data-job-id]').evaluateAll((els) =>
    els.map((el) => ({
      id: el.getAttribute('data-job-id') ?? '',
      lane: Number(el.getAttribute('data-lane')),
      start: Number(el.getAttribute('data-start')),
      seconds: Number(el.getAttribute('data-seconds')),
    })),
  );
  expect(bars.map((b) => b.id).sort()).toEqual(jobs.map((j) => j.id).sort());
  // The job list still counts jobs only (bars carry data-job-id but no data-state).
  await expect(allJobs(page)).toHaveCount(4);
  const t0 = Math.min(...starts);
  for (const bar of bars) {
    const job = jobs.find((j) => j.id === bar.id);
    expect(bar.lane === 0 || bar.lane === 1).toBe(true);
    expect(Math.abs(bar.start - ((job?.startedAt ?? 0) - t0) / 1000)).toBeLessThan(0.01);
    expect(Math.abs(bar.seconds - ((job?.endedAt ?? 0) - (job?.startedAt ?? 0)) / 1000)).toBeLessThan(0.01);
  }
  for (const a of bars) {
    for (const b of bars) {
      if (a === b) continue;
      const overlap = a.start < b.start + b.seconds - 0.001 && b.start < a.start + a.seconds - 0.001;
      if (overlap) expect(a.lane, `${a.id} and ${b.id} ran at once`).not.toBe(b.lane);
    }
  }
  await expect(report.getByText('$0 here')).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath('report.png'), fullPage: true, animations: 'disabled', caret: 'hide' });
  await report.screenshot({ path: testInfo.outputPath('report-panel.png'), animations: 'disabled' });

  // Saved as JSON and as SVG.
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), report.getByRole('button', { name: 'Save JSON' }).click()]);
  const jsonFile = path.join(outDir, jsonDownload.suggestedFilename());
  await jsonDownload.saveAs(jsonFile);
  const saved = JSON.parse(await readFile(jsonFile, 'utf8')) as { wallSeconds: number; encodeSeconds: number; workers: number; timeline: unknown[] };
  expect(Math.abs(saved.wallSeconds - wallAttr)).toBeLessThan(0.01);
  expect(Math.abs(saved.encodeSeconds - encodeAttr)).toBeLessThan(0.01);
  expect(saved.workers).toBe(2);
  expect(saved.timeline).toHaveLength(4);
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), report.getByRole('button', { name: 'Save SVG' }).click()]);
  expect(svgDownload.suggestedFilename()).toMatch(/\.svg$/);
  const svgFile = path.join(outDir, svgDownload.suggestedFilename());
  await svgDownload.saveAs(svgFile);
  const svg = await readFile(svgFile, 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.match(/data-job-id=/g)).toHaveLength(4);

  // The cost follows the hourly price the person sets.
  const price = page.getByLabel('Cloud price per hour (USD)');
  await price.fill('1000');
  await expect(report.getByText(/about \$\d+\.\d\d on a rented/)).toBeVisible();

  // After a reload the report is folded away again, and the estimate uses the speeds learnt.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  await expect(report).toBeHidden();
  await addFiles(page, [fixture('good.mp3'), fixture('Big_Buck_Bunny_180_10s.webm')]);
  await tickPresets(page, ['mp3-audio', 'mp4-h264-480p']);
  const after = await estimate(page);
  expect(after.text).not.toContain('first guess');
  expect(after.seconds).toBeGreaterThan(0);
});
