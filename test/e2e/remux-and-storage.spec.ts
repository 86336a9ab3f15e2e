/**
 * The stream-copy preset on real fixtures, and the storage check: a job whose output would
 * not fit fails alone with a sentence, and what was stored before stays byte for byte.
 */
import { expect, test } from '@playwright/test';
import { durationOf, ffprobe, streamsOf, topLevelBoxes } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir, sha256File } from '../support/media';
import { addFiles, downloadFromJob, jobFor, openApp, pressEncode, readJobs, tickPresets, waitForAllFinished } from './app-page';

let dir: string;
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-remux-');
});
test.afterAll(async () => {
  await removeDir(dir);
});

test('mp4-remux copies H.264/AAC and VP9 into an MP4 untouched, and refuses VP8/Vorbis at once with the preset to pick', async ({ page }) => {
  await openApp(page);
  await addFiles(page, [fixture('flower.mp4'), fixture('Big_Buck_Bunny_180_10s.webm'), fixture('flower.webm')]);
  await tickPresets(page, ['mp4-remux']);
  await pressEncode(page);
  await waitForAllFinished(page, 3);

  for (const name of ['flower.mp4', 'Big_Buck_Bunny_180_10s.webm']) {
    const job = jobFor(page, name, 'mp4-remux');
    await expect(job).toHaveAttribute('data-state', 'done');
    const { file } = await downloadFromJob(page, job, dir);
    const [inProbe, outProbe] = await Promise.all([ffprobe(fixture(name), ['-count_packets']), ffprobe(file, ['-count_packets'])]);
    expect(outProbe.format.format_name, name).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    for (const type of ['video', 'audio'] as const) {
      const inStream = streamsOf(inProbe, type)[0];
      const outStream = streamsOf(outProbe, type)[0];
      expect(outStream?.codec_name, `${name} ${type}`).toBe(inStream?.codec_name);
      // A copy: every packet is there, none made anew.
      expect(outStream?.nb_read_packets, `${name} ${type}`).toBe(inStream?.nb_read_packets);
    }
    expect(streamsOf(outProbe, 'video')[0]?.width).toBe(streamsOf(inProbe, 'video')[0]?.width);
    expect(Math.abs(durationOf(outProbe) - durationOf(inProbe))).toBeLessThan(0.1);
    const boxes = (await topLevelBoxes(file)).map((box) => box.type);
    expect(boxes.indexOf('moov'), name).toBeLessThan(boxes.indexOf('mdat'));
  }

  const vp8 = (await readJobs(page)).find((job) => job.source === 'flower.webm');
  expect(vp8?.state).toBe('failed');
  expect(vp8?.alert).toMatch(/The video is VP8, which cannot go into an MP4 without re-encoding\. Pick "MP4 H\.264 720p"/);
});

test('an output that cannot fit in the storage fails alone, says how much it needs, and stored outputs stay byte for byte', async ({ page }) => {
  await openApp(page);
  await addFiles(page, [fixture('friday.mp4')]);
  await tickPresets(page, ['mp3-audio']);
  await pressEncode(page);
  await waitForAllFinished(page, 1);
  const first = jobFor(page, 'friday.mp4', 'mp3-audio');
  await expect(first).toHaveAttribute('data-state', 'done');
  const before = await sha256File((await downloadFromJob(page, first, dir)).file);

  // Leave 1.5 MB free: flower.mp4 (1.1 MB) → remux needs twice its size while it is stored,
  // flower.mp4 → MP3 (5 s) a few hundred KB.
  const used = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
  await page.goto(`/?quotaBytes=${used + 1_500_000}`);
  await expect(jobFor(page, 'friday.mp4', 'mp3-audio')).toHaveAttribute('data-state', 'done');
  await addFiles(page, [fixture('flower.mp4')]);
  await tickPresets(page, ['mp4-remux', 'mp3-audio']);
  await pressEncode(page);
  await waitForAllFinished(page, 3);

  const tooBig = (await readJobs(page)).find((job) => job.source === 'flower.mp4' && job.preset === 'mp4-remux');
  expect(tooBig?.state).toBe('failed');
  expect(tooBig?.alert).toMatch(/needs about 2\.\d MB of the browser's storage .* but only 1\.\d MB is free for this page/);
  await expect(jobFor(page, 'flower.mp4', 'mp3-audio')).toHaveAttribute('data-state', 'done');
  const mp3 = await ffprobe((await downloadFromJob(page, jobFor(page, 'flower.mp4', 'mp3-audio'), dir)).file);
  expect(streamsOf(mp3, 'audio')[0]?.codec_name).toBe('mp3');

  const after = await sha256File((await downloadFromJob(page, jobFor(page, 'friday.mp4', 'mp3-audio'), dir)).file);
  expect(after).toBe(before);
});
