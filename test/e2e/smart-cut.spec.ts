/**
 * The smart cut and the one-pass remux of "streams copied" (issue 18), through a pool worker as
 * the job runner calls it (src/jobs/smart-cut.ts), on a bare test page built here with Vite
 * (test/fixtures-site/smart-cut/): the page's edits plumbing is not needed. Sources are made
 * with native ffmpeg; outputs are judged with native ffmpeg/ffprobe: frames counted, the first
 * frame's PSNR against native ffmpeg's accurate-seek frame at In, and every copied packet's MD5
 * against the source's.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, streamsOf, topLevelBoxes } from '../support/ffprobe';
import { makeTempDir, removeDir, run } from '../support/media';
import { serveSmartCutSite, type SmartCutAnswer } from '../support/smart-cut-site';

const FPS = 30;

let dir = '';
let site: { origin: string; close(): Promise<void> } | undefined;

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  dir = await makeTempDir('ffbatch-smart-cut-');
  site = await serveSmartCutSite(path.join(dir, 'site'));
});

test.afterAll(async () => {
  await site?.close();
  if (dir) await removeDir(dir);
});

/** 8 s of 640×360 30 fps with a keyframe every 60 frames (0, 2, 4, 6 s), B-frames, and AAC. */
async function makeSource(name: string, codec: 'libx264' | 'libx265'): Promise<string> {
  const file = path.join(dir, name);
  const video = codec === 'libx264' ? ['-c:v', 'libx264', '-profile:v', 'high', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0'] : ['-c:v', 'libx265', '-x265-params', 'keyint=60:min-keyint=60:scenecut=0:open-gop=0:log-level=error', '-tag:v', 'hvc1'];
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${FPS}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '8', ...video, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', file]);
  return file;
}

async function cut(page: Page, source: string, trim: { start: number; end: number | null } | null): Promise<{ answer: SmartCutAnswer; output: string | null }> {
  await page.goto(`${site?.origin ?? ''}/`);
  await page.getByLabel('Source').setInputFiles(source);
  const answer = await page.evaluate((t) => (window as unknown as { smartCut(trim: unknown): Promise<SmartCutAnswer> }).smartCut(t), trim);
  if (!answer.result) return { answer, output: null };
  const download = page.waitForEvent('download');
  await page.locator('a[download]').click();
  const output = path.join(dir, `out-${Date.now()}.mp4`);
  await (await download).saveAs(output);
  return { answer, output };
}

/** Every video packet in decode order: presentation time (s) and the MD5 of its bytes. */
function videoPackets(file: string): { pts: number; md5: string; key: boolean }[] {
  const md5s = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v:0', '-c', 'copy', '-f', 'framemd5', '-'])
    .toString()
    .split('\n')
    .filter((line) => /^\d+,/.test(line))
    .map((line) => line.split(',').map((part) => part.trim())[5] ?? '');
  const packets = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file])
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.split(','));
  return packets.map(([pts, flags], i) => ({ pts: Number(pts), key: (flags ?? '').startsWith('K'), md5: md5s[i] ?? '' }));
}

/** PSNR (dB, average over Y/U/V) of the first frame of `a` against the frame native ffmpeg's accurate seek gives at `at` s of `b`. */
function firstFramePsnr(a: string, b: string, at: number): number {
  const log = execFileSync('sh', ['-c', `ffmpeg -nostats -t 0.5 -i '${a}' -ss ${at.toFixed(4)} -t 0.5 -i '${b}' -lavfi '[0:v]trim=end_frame=1,setpts=PTS-STARTPTS[x];[1:v]trim=end_frame=1,setpts=PTS-STARTPTS[y];[x][y]psnr' -f null - 2>&1`]).toString();
  const match = /PSNR y:[\d.inf]+ u:[\d.inf]+ v:[\d.inf]+ average:([\d.]+|inf)/.exec(log);
  if (!match) throw new Error(`no PSNR in ffmpeg's log:\n${log.slice(-600)}`);
  return match[1] === 'inf' ? Infinity : Number(match[1]);
}

function countFrames(file: string): number {
  return Number(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file]).toString().trim());
}

/** What native ffmpeg says while decoding every frame (nothing for a clean stream). */
function decodeErrors(file: string): string {
  return execFileSync('sh', ['-c', `ffmpeg -v error -i '${file}' -f null - 2>&1`]).toString().trim();
}

test('a mid-GOP In and Out on H.264: frame-exact at In, Out − In long, every packet from the next keyframe on copied byte for byte', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const source = await makeSource('h264.mp4', 'libx264');
  const start = 2.7; // frame 81, 21 frames after the keyframe at 2 s
  const end = 7.5; // frame 225, mid-GOP: the last GOP is copied as far as it can be, the rest encoded
  const { answer, output } = await cut(page, source, { start, end });
  expect(answer.error, answer.log.join('\n')).toBeUndefined();
  expect(answer.result?.mode).toBe('smart');
  expect(answer.result?.note).toBeNull();
  if (!output) throw new Error('no output');

  const probe = await ffprobe(output);
  const [video] = streamsOf(probe, 'video');
  expect(video?.codec_name).toBe('h264');
  expect([video?.width, video?.height]).toEqual([640, 360]);
  expect(streamsOf(probe, 'audio')[0]?.codec_name).toBe('aac');
  // Fast start: the moov is written before the media.
  const boxes = (await topLevelBoxes(output)).map((box) => box.type);
  expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  // Every frame decodes, and there are exactly (Out − In) × fps of them.
  expect(decodeErrors(output)).toBe('');
  expect(countFrames(output)).toBe(Math.round((end - start) * FPS));
  expect(Math.abs(Number(video?.duration) - (end - start))).toBeLessThanOrEqual(1 / FPS + 1e-3);

  // The first frame is the source's frame at In (and not its neighbour).
  const atIn = firstFramePsnr(output, source, start);
  const nextFrame = firstFramePsnr(output, source, start + 1 / FPS);
  expect(atIn).toBeGreaterThan(35);
  expect(atIn).toBeGreaterThan(nextFrame + 3);

  // From the keyframe at 4 s on, the output's packets are the source's, byte for byte.
  const sourcePackets = videoPackets(source);
  const outPackets = videoPackets(output);
  const keyAt4 = sourcePackets.findIndex((p) => p.key && Math.abs(p.pts - 4) < 1e-3);
  const head = outPackets.findIndex((p) => p.key && Math.abs(p.pts - (4 - start)) < 1e-3);
  const copied = answer.result?.copiedVideoPackets ?? 0;
  expect(head).toBe(Math.round((4 - start) * FPS)); // the head: 39 frames encoded again
  expect(copied).toBeGreaterThanOrEqual(60 + 40); // the GOP at 4 s whole, most of the one at 6 s
  expect(outPackets.slice(head, head + copied).map((p) => p.md5)).toEqual(sourcePackets.slice(keyAt4, keyAt4 + copied).map((p) => p.md5));
  // The head's frames are new (x264's), not copies of the source's.
  const sourceMd5s = new Set(sourcePackets.map((p) => p.md5));
  expect(outPackets.slice(0, head).filter((p) => sourceMd5s.has(p.md5))).toEqual([]);
  // The sound is copied from In on, packet for packet.
  const audioSec = Number(streamsOf(probe, 'audio')[0]?.duration);
  expect(Math.abs(audioSec - (end - start))).toBeLessThan(0.05);
});

test('no trim: the whole file remuxed in one pass, every packet copied', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const source = await makeSource('whole.mp4', 'libx264');
  const { answer, output } = await cut(page, source, null);
  expect(answer.error, answer.log.join('\n')).toBeUndefined();
  expect(answer.result?.mode).toBe('copy');
  if (!output) throw new Error('no output');
  expect(videoPackets(output).map((p) => p.md5)).toEqual(videoPackets(source).map((p) => p.md5));
  const boxes = (await topLevelBoxes(output)).map((box) => box.type);
  expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  expect(Math.abs(Number(streamsOf(await ffprobe(output), 'audio')[0]?.duration) - 8)).toBeLessThan(0.05);
});

test('HEVC, whose head is not re-encoded: the cut falls on the keyframe before In, and says so', async ({ page }) => {
  test.setTimeout(3 * 60_000);
  const source = await makeSource('hevc.mp4', 'libx265');
  const { answer, output } = await cut(page, source, { start: 2.7, end: 6 });
  expect(answer.error, answer.log.join('\n')).toBeUndefined();
  expect(answer.result?.mode).toBe('keyframe');
  expect(answer.result?.startSec).toBeCloseTo(2, 3);
  expect(answer.result?.note).toMatch(/keyframe at 2\.000 s, 0\.700 s before In.*HEVC/);
  if (!output) throw new Error('no output');
  expect(streamsOf(await ffprobe(output), 'video')[0]?.codec_name).toBe('hevc');
  expect(countFrames(output)).toBe(4 * FPS); // 2 s to 6 s
  expect(decodeErrors(output)).toBe('');
});
