/**
 * Real-size files: outputs are written to OPFS and stored disk to disk, so neither the
 * 2 GiB ArrayBuffer limit nor the page's memory bounds them. Inputs are made here by native
 * ffmpeg stream copies of a real fixture (upscaled once to a high bitrate so a few GB stay
 * a few hundred thousand packets), under the temp folder, and removed after.
 *
 * These tests run in a browser profile on disk (a persistent context): off the record,
 * Chromium keeps IndexedDB and OPFS in memory, which is not where a person's big files go.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { durationOf, ffprobe, streamsOf, topLevelBoxes } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir, run } from '../support/media';
import { addFiles, downloadFromJob, jobFor, openApp, pressEncode, tickPresets, waitForAllFinished, type AnyPresetId } from './app-page';

const GiB = 1024 ** 3;
/** 5 s of 1080p at about 85 Mb/s, with the fixture's AAC. */
const SEED_ARGS = ['-vf', 'scale=1920:1080:flags=lanczos', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '6', '-c:a', 'copy'];
const LARGE_TIMEOUT = 15 * 60_000;

test.describe.configure({ mode: 'serial' });

let dir: string;
let seed: string;

test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-large-');
  seed = path.join(dir, 'seed.mp4');
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', fixture('flower.mp4'), ...SEED_ARGS, seed]);
});

test.afterAll(async () => {
  await removeDir(dir);
});

/** A stream copy of the seed looped until the file passes `minBytes`. */
async function loopedSource(name: string, minBytes: number): Promise<string> {
  const target = path.join(dir, name);
  const loops = Math.ceil(minBytes / (await stat(seed)).size);
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-stream_loop', String(loops - 1), '-i', seed, '-c', 'copy', '-movflags', '+faststart', target]);
  return target;
}

/** A Chromium with its profile on disk, configured as the project's launch options say. */
async function diskProfile(): Promise<{ context: BrowserContext; page: Page }> {
  const { launchOptions, baseURL } = test.info().project.use;
  const context = await chromium.launchPersistentContext(path.join(dir, `profile-${Date.now()}`), {
    ...launchOptions,
    ...(baseURL ? { baseURL } : {}),
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Converts one file with one preset through the page and downloads the output; returns its path. */
async function convertOne(page: Page, source: string, preset: AnyPresetId): Promise<string> {
  await openApp(page);
  await addFiles(page, [source]);
  await tickPresets(page, [preset]);
  await pressEncode(page);
  await waitForAllFinished(page, 1, LARGE_TIMEOUT);
  const job = jobFor(page, path.basename(source), preset);
  await expect(job).toHaveAttribute('data-state', 'done');
  return (await downloadFromJob(page, job, dir)).file;
}

test('mp4-remux of a 2.3 GB MP4 gives an output above 2 GiB with the same streams, codecs and duration, fast start', async () => {
  test.setTimeout(LARGE_TIMEOUT);
  const source = await loopedSource('camera reel.mp4', 2.3e9);
  const { context, page } = await diskProfile();
  try {
    const file = await convertOne(page, source, 'mp4-remux');

    expect((await stat(file)).size).toBeGreaterThan(2 * GiB);
    const [inProbe, outProbe] = await Promise.all([ffprobe(source), ffprobe(file)]);
    expect(outProbe.format.format_name).toBe('mov,mp4,m4a,3gp,3g2,mj2');
    for (const type of ['video', 'audio'] as const) {
      const [inStream] = streamsOf(inProbe, type);
      const [outStream] = streamsOf(outProbe, type);
      expect(outStream?.codec_name, type).toBe(inStream?.codec_name);
      expect(Number(outStream?.duration), type).toBeCloseTo(Number(inStream?.duration), 1);
    }
    expect(streamsOf(outProbe, 'video')[0]?.width).toBe(1920);
    expect(durationOf(outProbe)).toBeCloseTo(durationOf(inProbe), 1);
    const boxes = (await topLevelBoxes(file)).map((box) => box.type);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    // Nothing left in the scratch folder once the output is stored (removed just after).
    const scratchFiles = (): Promise<string[]> =>
      page.evaluate(async () => {
        const names: string[] = [];
        const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
          for await (const [name, handle] of folder.entries()) {
            if (handle.kind === 'file') names.push(prefix + name);
            else await walk(handle, `${prefix}${name}/`);
          }
        };
        await walk(await navigator.storage.getDirectory(), '');
        return names;
      });
    await expect.poll(scratchFiles, { timeout: 10_000 }).toEqual([]);
  } finally {
    await context.close();
    await removeDir(source);
  }
});

test('a 4.3 GB input through mp3-audio: read in place, the whole sound track converted', async () => {
  test.setTimeout(LARGE_TIMEOUT);
  const source = await loopedSource('long take.mp4', 4.3e9);
  const { context, page } = await diskProfile();
  try {
    expect((await stat(source)).size).toBeGreaterThan(4 * GiB);
    const file = await convertOne(page, source, 'mp3-audio');
    const [inProbe, outProbe] = await Promise.all([ffprobe(source), ffprobe(file)]);
    expect(streamsOf(outProbe, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
    expect(streamsOf(outProbe, 'video')).toHaveLength(0);
    // Within 1 %: every loop seam of the generated source carries one more AAC frame of priming.
    const sourceAudio = Number(streamsOf(inProbe, 'audio')[0]?.duration);
    expect(Math.abs(durationOf(outProbe) - sourceAudio)).toBeLessThan(sourceAudio * 0.01);
  } finally {
    await context.close();
    await removeDir(source);
  }
});
