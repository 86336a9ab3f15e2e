/**
 * Issue 15, item 1: a clip cut losslessly between key frames (`ffmpeg -ss … -c copy`) keeps
 * the earlier GOP's packets and an MP4 edit list that hides them. The fast route must decode
 * them (later frames depend on them) and drop their frames: the output has exactly the frames
 * the source shows and starts at the edit point.
 *
 * The clip: 20 s shown after 4.9 s of hidden pre-roll (147 packets), H.264 with B-frames and
 * a key frame every 5 s, 640×360 so that two fast-route encodes stay short on 2 cores.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, tickPresets, waitForAllFinished } from './app-page';

const RATE = 30;
const CUT_AT = 24.9; // key frames at 20 s and 25 s: 4.9 s of pre-roll before the edit point
const CUT_LENGTH = 20;

function ffmpeg(args: string[]): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]).toString();
}

function ffprobeJson<T>(args: string[]): T {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', ...args]).toString()) as T;
}

interface Shown {
  /** Frames a player shows (native ffmpeg decodes them, honouring the edit list). */
  frames: number;
  duration: number;
  codec: string;
}

function shownVideo(file: string): Shown {
  const probe = ffprobeJson<{ streams: { codec_name: string; nb_read_frames: string; duration?: string }[]; format: { duration: string } }>([
    '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames,duration:format=duration', file,
  ]);
  const stream = probe.streams[0];
  if (!stream) throw new Error(`${file} has no video`);
  return { frames: Number(stream.nb_read_frames), duration: Number(stream.duration ?? probe.format.duration), codec: stream.codec_name };
}

/** The first audio stream's start and length as native ffprobe gives them (edit lists applied). */
function audioSpan(file: string): { start: number; duration: number } {
  const probe = ffprobeJson<{ streams: { start_time: string; duration?: string }[]; format: { duration: string } }>([
    '-select_streams', 'a:0', '-show_entries', 'stream=start_time,duration:format=duration', file,
  ]);
  const stream = probe.streams[0];
  if (!stream) throw new Error(`${file} has no audio`);
  return { start: Number(stream.start_time), duration: Number(stream.duration ?? probe.format.duration) };
}

/** PSNR (dB, Y+U+V average) of `file`'s first frame against the source's first shown frame, as native ffmpeg decodes it. */
function firstFramePsnr(file: string, source: string, size: { width: number; height: number }): number {
  const scale = `scale=${size.width}:${size.height}`;
  const graph = `[0:v]trim=end_frame=1,setpts=PTS-STARTPTS,${scale}[a];[1:v]trim=end_frame=1,setpts=PTS-STARTPTS,${scale}[b];[a][b]psnr`;
  // The psnr filter reports on stderr.
  const run = spawnSync('ffmpeg', ['-v', 'info', '-nostdin', '-i', file, '-i', source, '-lavfi', graph, '-f', 'null', '-'], { encoding: 'utf8' });
  const match = /PSNR .*average:(inf|[\d.]+)/.exec(run.stderr);
  if (run.status !== 0 || !match) throw new Error(`no PSNR from ffmpeg (exit ${run.status}): ${run.stderr.slice(-400)}`);
  return match[1] === 'inf' ? Infinity : Number(match[1]);
}

async function openFastRoute(page: Page): Promise<void> {
  // Without quality samples: this spec is about what the fast route makes of an edit list, not whether Auto keeps it there (quality-promise.spec.ts).
  await page.goto('/?engine=auto&qualitySamples=0');
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
  const h264 = await page.evaluate(async () => {
    if (typeof VideoEncoder === 'undefined') return false;
    const answer = await VideoEncoder.isConfigSupported({ codec: 'avc1.640028', width: 1280, height: 720 }).catch(() => null);
    return answer?.supported === true;
  });
  test.skip(!h264, "this Chromium has no H.264 VideoEncoder (Debian's /usr/bin/chromium has OpenH264): set FFBATCH_CHROMIUM=/usr/bin/chromium");
}

let dir = '';
let cut = '';
test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-edit-list-');
  const long = path.join(dir, 'long.mp4');
  cut = path.join(dir, 'cut between key frames.mp4');
  ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=${RATE}`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(CUT_AT + CUT_LENGTH + 2), '-c:v', 'libx264', '-preset', 'veryfast', '-g', '150', '-keyint_min', '150', '-sc_threshold', '0',
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', long,
  ]);
  ffmpeg(['-ss', String(CUT_AT), '-i', long, '-t', String(CUT_LENGTH), '-c', 'copy', cut]);
});
test.afterAll(async () => {
  await removeDir(dir);
});

test('a clip cut between key frames (edit list over 4.9 s of pre-roll) → H.264 and VP9 on the fast route: the frames the source shows, from the edit point', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  // The source is what the test needs: hidden packets with negative times, and native ffmpeg showing duration × rate frames.
  const packets = ffprobeJson<{ packets: { pts_time: string }[] }>(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time', cut]).packets;
  const hidden = packets.filter((p) => Number(p.pts_time) < 0).length;
  expect(hidden, 'packets before the edit point').toBeGreaterThanOrEqual(140);
  const source = shownVideo(cut);
  expect(Math.abs(source.frames - source.duration * RATE), `native shows ${source.frames} frames over ${source.duration} s`).toBeLessThanOrEqual(1);
  const sourceSound = audioSpan(cut);
  console.log(`[edit-list] source: ${packets.length} packets, ${hidden} hidden; shows ${source.frames} frames over ${source.duration} s; audio ${JSON.stringify(sourceSound)}`);

  await openFastRoute(page);
  await addFiles(page, [cut]);
  const presets = ['mp4-h264-720p', 'webm-vp9-720p'] as const;
  await tickPresets(page, presets);
  await pressEncode(page);
  await waitForAllFinished(page, presets.length, ENCODE_TIMEOUT);

  for (const presetId of presets) {
    await test.step(presetId, async () => {
      const job = jobFor(page, path.basename(cut), presetId);
      await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
      // A failed check would have sent the job to ffmpeg.wasm: the fast route's own output passed it.
      await expect(job, await job.innerText()).toHaveAttribute('data-engine', 'webcodecs');
      await expect(job).toContainText('verified');
      const got = await downloadFromJob(page, job, dir);
      const out = shownVideo(got.file);
      const psnr = firstFramePsnr(got.file, cut, { width: 640, height: 360 });
      const sound = audioSpan(got.file);
      console.log(`[edit-list] ${presetId}: ${out.codec}, ${out.frames} frames, ${out.duration} s; first frame ${psnr.toFixed(1)} dB; audio ${JSON.stringify(sound)}`);
      expect.soft(out.codec).toBe(presetId === 'mp4-h264-720p' ? 'h264' : 'vp9');
      expect.soft(out.frames, 'exactly the frames the source shows').toBe(source.frames);
      expect.soft(Math.abs(out.frames - source.duration * RATE), 'duration × rate, within one').toBeLessThanOrEqual(1);
      expect.soft(psnr, "the first frame is the source's frame at the edit point").toBeGreaterThan(35);
      // The sound an edit list hides is dropped too: the output's lasts what the source's shows.
      expect.soft(Math.abs(sound.duration - sourceSound.duration), `audio ${JSON.stringify(sound)} vs ${JSON.stringify(sourceSound)}`).toBeLessThanOrEqual(0.1);
      expect.soft(Math.abs(sound.start), 'audio starts with the picture').toBeLessThanOrEqual(0.05);
    });
  }
});
