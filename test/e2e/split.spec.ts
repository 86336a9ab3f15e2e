/**
 * One long file split across workers (issue 4): the joined output must match a one-worker
 * encode of the same source: frame count, duration within a frame, regular frame timing at
 * the joins, audio in sync. `?splitAbove=20` makes the 33 s fixture count as long.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { frameTimes } from '../support/ffprobe';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const TRAILER = path.join(FIXTURES, 'trailer_big_buck_bunny.flv'); // 33 s, 25 fps, mp3 mono
const FRAME = 1 / 25;
const outDir = mkdtempSync(path.join(tmpdir(), 'ffbatch-split-'));

interface StreamFacts {
  codec: string;
  frames: number;
  end: number;
}

function probeStreams(file: string): { video: StreamFacts; audio: StreamFacts | null; duration: number } {
  const json = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file]).toString(),
  ) as { streams: Record<string, string>[]; format: { duration: string } };
  const facts = (type: string): StreamFacts | null => {
    const s = json.streams.find((x) => x['codec_type'] === type);
    if (!s) return null;
    const start = Number(s['start_time'] ?? 0);
    return { codec: s['codec_name'] ?? '', frames: Number(s['nb_read_frames']), end: start + Number(s['duration'] ?? json.format.duration) };
  };
  const video = facts('video');
  if (!video) throw new Error(`${file} has no video stream`);
  return { video, audio: facts('audio'), duration: Number(json.format.duration) };
}

async function setWorkers(page: Page, n: number): Promise<void> {
  const input = page.getByLabel('Workers');
  await input.fill(String(n));
  await input.dispatchEvent('change');
}

async function encodeOne(page: Page, file: string, presetId: string): Promise<{ path: string; log: string; id: string }> {
  const before = await page.locator('[data-job-id][data-state]').count();
  await page.getByLabel('Add files').setInputFiles(file);
  const box = page.locator(`input[name=preset][value=${presetId}]`);
  if (!(await box.isChecked())) await box.check();
  await page.getByRole('button', { name: 'Encode' }).click();
  const job = page.locator('[data-job-id][data-state]').nth(before);
  await expect(job).toHaveAttribute('data-state', /done|failed/, { timeout: 300_000 });
  const id = (await job.getAttribute('data-job-id')) ?? '';
  await job.getByRole('button', { name: 'Log' }).click();
  const log = await job.locator('pre').innerText();
  await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
  const [download] = await Promise.all([page.waitForEvent('download'), job.locator('a[download]').click()]);
  const saved = path.join(outDir, `${before}-${download.suggestedFilename()}`);
  await download.saveAs(saved);
  // Leave the source list empty, so the next Encode makes one job only.
  for (const remove of await page.getByRole('button', { name: /^Remove / }).all()) await remove.click();
  return { path: saved, log, id };
}

test.describe.configure({ mode: 'serial' });

test('a long file split across 2 workers matches the one-worker encode', async ({ page }) => {
  await page.goto('/?splitAbove=20');
  for (const presetId of ['mp4-h264-480p', 'flv-320x240']) {
    await setWorkers(page, 1);
    const whole = await encodeOne(page, TRAILER, presetId);
    expect(whole.log).not.toContain('split into');
    await setWorkers(page, 2);
    const split = await encodeOne(page, TRAILER, presetId);
    expect(split.log).toContain('split into 2 segments');
    // The report draws the split job on both workers' lanes.
    await expect(page.locator(`[data-report] svg [data-job-id="${split.id}"]`)).toHaveCount(2);

    const a = probeStreams(whole.path);
    const b = probeStreams(split.path);
    expect(b.video.codec).toBe(a.video.codec);
    expect(b.video.frames, `${presetId}: frame count`).toBe(a.video.frames);
    expect(Math.abs(b.duration - a.duration), `${presetId}: duration`).toBeLessThanOrEqual(FRAME + 1e-6);
    expect(b.audio?.codec).toBe(a.audio?.codec);
    // Audio in sync: where the sound ends against where the picture ends, as in the whole encode.
    const drift = b.audio!.end - b.video.end - (a.audio!.end - a.video.end);
    expect(Math.abs(drift), `${presetId}: audio drift`).toBeLessThan(0.04);
    // No frame doubled or dropped at the join: frame times stay one frame apart throughout.
    const times = frameTimes(split.path);
    expect(times.length).toBe(b.video.frames);
    for (let i = 1; i < times.length; i++) {
      const step = (times[i] ?? 0) - (times[i - 1] ?? 0);
      expect(step, `${presetId}: frame ${i} at ${times[i]}`).toBeGreaterThan(FRAME * 0.5);
      expect(step, `${presetId}: frame ${i} at ${times[i]}`).toBeLessThan(FRAME * 1.5);
    }
    await page.locator('input[name=preset]:checked').uncheck();
  }
});

test('canceling a split job stops every segment and the workers come back', async ({ page }) => {
  await page.goto('/?splitAbove=20');
  await setWorkers(page, 2);
  await page.getByLabel('Add files').setInputFiles(TRAILER);
  await page.locator('input[name=preset][value=mp4-h264-720p]').check();
  await page.getByRole('button', { name: 'Encode' }).click();
  const job = page.locator('[data-job-id][data-state]').first();
  await expect(job).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect.poll(async () => Number(await job.locator('progress').getAttribute('value')), { timeout: 120_000 }).toBeGreaterThan(0);
  await job.getByRole('button', { name: 'Cancel' }).click();
  await expect(job).toHaveAttribute('data-state', 'canceled', { timeout: 3_000 });
  // Both workers were ended with the job: a new split job must still get two fresh ones.
  await page.locator('input[name=preset][value=mp4-h264-720p]').uncheck();
  await page.locator('input[name=preset][value=flv-320x240]').check();
  await page.getByRole('button', { name: 'Encode' }).click();
  const next = page.locator('[data-job-id][data-preset="flv-320x240"]');
  await expect(next).toHaveAttribute('data-state', 'done', { timeout: 180_000 });
  await next.getByRole('button', { name: 'Log' }).click();
  await expect(next.locator('pre')).toContainText('split into 2 segments');
});

test('a segment that fails fails its job with a clear sentence', async ({ page }) => {
  // The first 900 kB of the trailer: its header still says 33 s, so the second segment finds no frames.
  const cut = path.join(outDir, 'trailer cut short.flv');
  writeFileSync(cut, readFileSync(TRAILER).subarray(0, 900_000));
  await page.goto('/?splitAbove=20');
  await setWorkers(page, 2);
  await page.getByLabel('Add files').setInputFiles(cut);
  await page.locator('input[name=preset][value=mp4-h264-480p]').check();
  await page.getByRole('button', { name: 'Encode' }).click();
  const job = page.locator('[data-job-id][data-state]').first();
  await expect(job).toHaveAttribute('data-state', 'failed', { timeout: 180_000 });
  await expect(job.getByRole('alert')).toContainText(/Segment 2 of 2 .*cut short/);
});
