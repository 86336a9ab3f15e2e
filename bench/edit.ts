/**
 * `npm run bench -- --part edit`: the smart cut of "streams copied" (issue 18). A 2.4 GB
 * camera-like MP4 (1080p H.264 at 16 Mb/s with a 1 s GOP and B-frames, AAC; stream copies of a
 * fixture encoded once, ~20 min) trimmed to 10 minutes in the middle, In between keyframes:
 * through a pool worker's runSmartCut on the bare smart-cut page (test/fixtures-site/smart-cut/,
 * the job's plumbing is the lead's) against native `ffmpeg -ss … -to … -c copy` (which cuts at
 * keyframes and is not frame-exact); the whole file remuxed in one pass the same way against
 * native `-c copy -movflags +faststart`. The first frame of the smart cut is compared (PSNR)
 * with native ffmpeg's accurate-seek frame at In. The browser's profile is on disk.
 * The 45 s 1080p trim + crop to mp4-h264-720p is the edit-encode part (bench/edit-encode.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { serveSmartCutSite, type SmartCutAnswer } from '../test/support/smart-cut-site';
import { chromiumExecutable } from './browser';
import { run, startForeignLoadMeter } from './proc';

export interface EditRun {
  inputBytes: number;
  mediaSec: number;
  trim: { start: number; end: number };
  native: { cutSec: number; cutStartSec: number | null; remuxSec: number };
  app: { cutSec: number | null; cutMode: string | null; encodedFrames: number | null; copiedVideoPackets: number | null; remuxSec: number | null; error: string | null; log: string[] };
  cutOverNative: number | null;
  remuxOverNative: number | null;
  /** First frame of the smart cut against native ffmpeg's accurate-seek frame at In (dB). */
  firstFramePsnr: number | null;
  /** The same against the frame after In: frame-exact means the first is far higher. */
  nextFramePsnr: number | null;
  foreignCores: number;
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

async function seconds(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

/** ~`bytes` of 1080p H.264 at 16 Mb/s (1 s GOP, B-frames) + AAC: the fixture encoded once, then looped by stream copy. */
async function makeInput(fixture: string, dir: string, bytes: number): Promise<string> {
  const seed = join(dir, 'seed.mp4');
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', fixture, '-vf', 'scale=1920:1080:flags=lanczos', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '16M', '-maxrate', '20M', '-bufsize', '32M', '-g', '30', '-c:a', 'copy', seed]);
  const loops = Math.ceil(bytes / statSync(seed).size);
  const target = join(dir, 'camera-like.mp4');
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-stream_loop', String(loops - 1), '-i', seed, '-c', 'copy', target]);
  rmSync(seed);
  return target;
}

async function timed(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  await run(command, args);
  return (performance.now() - started) / 1000;
}

function frameRate(file: string): number {
  const [num, den] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', file]).toString().trim().split('/').map(Number);
  return num && den ? num / den : 30;
}

function psnr(a: string, b: string, at: number): number | null {
  const log = execFileSync('sh', ['-c', `ffmpeg -nostats -t 0.5 -i '${a}' -ss ${at.toFixed(4)} -t 0.5 -i '${b}' -lavfi '[0:v]trim=end_frame=1,setpts=PTS-STARTPTS[x];[1:v]trim=end_frame=1,setpts=PTS-STARTPTS[y];[x][y]psnr' -f null - 2>&1`]).toString();
  const match = /average:([\d.]+|inf)/.exec(log);
  return match ? (match[1] === 'inf' ? Infinity : Number(match[1])) : null;
}

export async function benchEdit(options: { fixture: string; bytes: number; input?: string; log(line: string): void }): Promise<EditRun> {
  const dir = join(tmpdir(), `ffbatch-bench-edit-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const site = await serveSmartCutSite(join(dir, 'site'));
  try {
    const given = options.input && existsSync(options.input) ? options.input : null;
    if (!given) options.log(`edit: making a ${(options.bytes / 1e9).toFixed(1)} GB camera-like input by stream copy`);
    const input = given ?? (await makeInput(options.fixture, dir, options.bytes));
    const mediaSec = await seconds(input);
    // Ten minutes in the middle, In 0.4 s after a keyframe (the GOP is 1 s).
    const start = Math.floor(mediaSec / 2 - 300) + 0.4;
    const trim = { start, end: start + 600 };
    const meter = startForeignLoadMeter();
    options.log('edit: native ffmpeg -ss … -to … -c copy, and -c copy +faststart of the whole file');
    const nativeCut = join(dir, 'native-cut.mp4');
    const cutSec = await timed('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-ss', String(trim.start), '-to', String(trim.end), '-i', input, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-movflags', '+faststart', nativeCut]);
    // Where native's copy really starts: the keyframe before In.
    const firstPts = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-read_intervals', '%+#1', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', nativeCut]).toString().trim();
    rmSync(nativeCut);
    const nativeRemux = join(dir, 'native-remux.mp4');
    const remuxSec = await timed('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', input, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-movflags', '+faststart', nativeRemux]);
    rmSync(nativeRemux);

    options.log('edit: ffbatch smart cut and one-pass remux (pool worker, profile on disk)');
    const executablePath = chromiumExecutable();
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), { ...(executablePath ? { executablePath } : {}), args: ARGS, acceptDownloads: true });
    const app: EditRun['app'] = { cutSec: null, cutMode: null, encodedFrames: null, copiedVideoPackets: null, remuxSec: null, error: null, log: [] };
    let firstFramePsnr: number | null = null;
    let nextFramePsnr: number | null = null;
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const cut = async (t: { start: number; end: number } | null): Promise<SmartCutAnswer> => {
        await page.goto(`${site.origin}/`);
        await page.getByLabel('Source').setInputFiles(input);
        return page.evaluate((x) => (window as unknown as { smartCut(trim: unknown): Promise<SmartCutAnswer> }).smartCut(x), t);
      };
      // A warm core first (as the page keeps its workers warm): a cut of one second.
      await cut({ start: trim.start, end: trim.start + 1 });
      const answer = await cut(trim);
      app.log = answer.log.filter((line) => line.startsWith('[smart-cut]'));
      app.error = answer.error ?? null;
      if (answer.result) {
        app.cutSec = answer.wallMs / 1000;
        app.cutMode = answer.result.mode;
        app.encodedFrames = answer.result.encodedFrames;
        app.copiedVideoPackets = answer.result.copiedVideoPackets;
        const download = page.waitForEvent('download', { timeout: 10 * 60_000 });
        await page.locator('a[download]').click();
        const output = join(dir, 'cut.mp4');
        await (await download).saveAs(output);
        firstFramePsnr = psnr(output, input, trim.start);
        nextFramePsnr = psnr(output, input, trim.start + 1 / frameRate(input));
        rmSync(output);
      }
      const whole = await cut(null);
      if (whole.result) app.remuxSec = whole.wallMs / 1000;
      else app.error ??= whole.error ?? 'the remux gave nothing';
    } catch (error) {
      app.error = error instanceof Error ? (error.message.split('\n')[0] ?? 'error') : String(error);
    } finally {
      await context.close();
    }
    const { foreignCores } = meter.stop();
    const result: EditRun = {
      inputBytes: statSync(input).size,
      mediaSec,
      trim,
      native: { cutSec, cutStartSec: firstPts ? Number(firstPts) : null, remuxSec },
      app,
      cutOverNative: app.cutSec !== null ? app.cutSec / cutSec : null,
      remuxOverNative: app.remuxSec !== null ? app.remuxSec / remuxSec : null,
      firstFramePsnr,
      nextFramePsnr,
      foreignCores,
    };
    options.log(`  → ${JSON.stringify(result)}`);
    return result;
  } finally {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
