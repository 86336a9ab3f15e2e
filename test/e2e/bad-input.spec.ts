/**
 * Bad inputs in one batch beside good ones, with an output already stored: each bad job
 * fails with a sentence that says what is wrong, the good jobs succeed, and the stored
 * output still downloads byte for byte.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { durationOf, ffprobe, streamsOf } from '../support/ffprobe';
import { AWKWARD_NAME, fixture, makeBadInputs, makeTempDir, removeDir, sha256File, type BadInputs } from '../support/media';
import { addFiles, downloadFromJob, jobFor, openApp, pressEncode, readJobs, setWorkers, tickPresets, waitForAllFinished, type PresetId } from './app-page';

let bad: BadInputs;
let outDir: string;

test.beforeAll(async () => {
  bad = await makeBadInputs();
  outDir = await makeTempDir('ffbatch-bad-out-');
});

test.afterAll(async () => {
  await removeDir(bad.dir);
  await removeDir(outDir);
});

const BATCH_PRESETS: PresetId[] = ['flv-320x240', 'mp3-audio'];

interface BadCase {
  /** data-source of its jobs. */
  name: string;
  /** What the sentence must say, for each preset of the batch. */
  says: RegExp;
  presets?: PresetId[];
}

test('bad inputs fail with a clear reason; good jobs and stored outputs are untouched', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  await openApp(page);
  await setWorkers(page, 2);

  // An output stored before the bad batch.
  await addFiles(page, [fixture('friday.mp4')]);
  await tickPresets(page, ['flv-320x240']);
  await pressEncode(page);
  await waitForAllFinished(page, 1);
  const earlier = jobFor(page, 'friday.mp4', 'flv-320x240');
  await expect(earlier).toHaveAttribute('data-state', 'done');
  const earlierDownload = await downloadFromJob(page, earlier, outDir);
  const earlierHash = await sha256File(earlierDownload.file);
  await page.getByRole('button', { name: 'Remove friday.mp4' }).click();

  // One batch: the good file, the bad ones, a silent video asked for an MP3, and an awkward name.
  const read = async (file: string): Promise<Buffer> => readFile(file);
  await addFiles(page, [
    fixture('flower.mp4'),
    fixture('Big_Buck_Bunny_180_10s.webm'),
    bad.awkward,
    { name: 'empty.mp4', mimeType: 'video/mp4', buffer: await read(bad.empty) },
    { name: 'random-bytes.mp4', mimeType: 'video/mp4', buffer: await read(bad.random) },
    { name: 'notes.mov', mimeType: 'video/quicktime', buffer: await read(bad.text) },
    { name: 'truncated.mp4', mimeType: 'video/mp4', buffer: await read(bad.truncated) },
  ]);
  await tickPresets(page, BATCH_PRESETS);
  await pressEncode(page);
  await waitForAllFinished(page, 1 + 7 * BATCH_PRESETS.length);

  const views = await readJobs(page);
  for (const v of views) console.log(`[bad-input] ${v.source} → ${v.preset}: ${v.state}${v.alert ? `: ${v.alert}` : ''}`);

  const cases: BadCase[] = [
    { name: 'empty.mp4', says: /\bempty\b/i },
    { name: 'random-bytes.mp4', says: /not a video or audio file/i },
    { name: 'notes.mov', says: /not a video or audio file/i },
    { name: 'truncated.mp4', says: /incomplete|moov/i },
    { name: 'Big_Buck_Bunny_180_10s.webm', says: /no audio/i, presets: ['mp3-audio'] },
  ];
  for (const c of cases) {
    for (const preset of c.presets ?? BATCH_PRESETS) {
      await test.step(`${c.name} → ${preset} fails saying ${String(c.says)}`, async () => {
        const job = jobFor(page, c.name, preset);
        await expect(job).toHaveCount(1);
        await expect.soft(job).toHaveAttribute('data-state', 'failed');
        const alert = job.locator('[role=alert]');
        await expect.soft(alert).toHaveCount(1);
        const sentence = (await alert.count()) === 1 ? ((await alert.textContent()) ?? '') : '';
        expect.soft(sentence, 'a sentence a person understands').toMatch(c.says);
        expect.soft(sentence.length, 'a real sentence, not a code').toBeGreaterThan(20);
        await expect.soft(job.locator('a[download]')).toHaveCount(0);
      });
    }
  }

  const goods: { source: string; preset: PresetId; name: string; audio: boolean }[] = [
    { source: 'flower.mp4', preset: 'flv-320x240', name: 'flower.flv', audio: true },
    { source: 'flower.mp4', preset: 'mp3-audio', name: 'flower.mp3', audio: true },
    { source: AWKWARD_NAME, preset: 'flv-320x240', name: AWKWARD_NAME.replace(/\.mp4$/, '.flv'), audio: true },
    { source: AWKWARD_NAME, preset: 'mp3-audio', name: AWKWARD_NAME.replace(/\.mp4$/, '.mp3'), audio: true },
    { source: 'Big_Buck_Bunny_180_10s.webm', preset: 'flv-320x240', name: 'Big_Buck_Bunny_180_10s.flv', audio: false },
  ];
  const sourceDuration = {
    'flower.mp4': durationOf(await ffprobe(fixture('flower.mp4'))),
    [AWKWARD_NAME]: durationOf(await ffprobe(bad.awkward)),
    'Big_Buck_Bunny_180_10s.webm': durationOf(await ffprobe(fixture('Big_Buck_Bunny_180_10s.webm'))),
  } as Record<string, number>;
  for (const g of goods) {
    await test.step(`${g.source} → ${g.preset} succeeds`, async () => {
      const job = jobFor(page, g.source, g.preset);
      await expect(job).toHaveCount(1);
      await expect.soft(job).toHaveAttribute('data-state', 'done');
      if ((await job.getAttribute('data-state')) !== 'done') return;
      const got = await downloadFromJob(page, job, outDir);
      expect.soft(got.downloadAttribute).toBe(g.name);
      expect.soft(got.suggestedFilename).toBe(got.downloadAttribute);
      const out = await ffprobe(got.file);
      const videos = streamsOf(out, 'video');
      const audios = streamsOf(out, 'audio');
      if (g.preset === 'mp3-audio') {
        expect.soft(out.format.format_name).toBe('mp3');
        expect.soft(videos).toHaveLength(0);
        expect.soft(audios.map((a) => a.codec_name)).toEqual(['mp3']);
      } else {
        expect.soft(out.format.format_name).toBe('flv');
        expect.soft(videos.map((v) => `${v.codec_name} ${v.width}x${v.height}`)).toEqual(['flv1 320x240']);
        expect.soft(audios.map((a) => a.codec_name)).toEqual(g.audio ? ['mp3'] : []);
      }
      const expected = sourceDuration[g.source] ?? NaN;
      expect.soft(Math.abs(durationOf(out) - expected) / expected, `duration ${durationOf(out)} vs ${expected}`).toBeLessThanOrEqual(0.05);
    });
  }

  await test.step('the output stored before the batch is intact', async () => {
    await expect(earlier).toHaveAttribute('data-state', 'done');
    const again = await downloadFromJob(page, earlier, path.join(outDir));
    expect(again.downloadAttribute).toBe('friday.flv');
    expect(await sha256File(again.file)).toBe(earlierHash);
  });
});
