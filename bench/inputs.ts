/**
 * The benchmark's inputs, made with native ffmpeg from the shared fixtures: AVI files like
 * the original recipe's sources (MPEG-4 Part 2 704×544 25 fps about 2 Mb/s, MP3 48 kHz
 * stereo 128 kb/s). Real footage: a reel of every fixture with a picture (trailer, flower,
 * chroma-key clip, friday, Big Buck Bunny), scaled to 704×544, looped as needed. Each
 * batch source starts at a different point of the reel, so no two are the same file.
 * Made once and reused while the recipe and ffmpeg's version stay the same.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc';

export const RECIPE_VERSION = 'reel-v1 mpeg4 704x544 25fps 2000k + mp3 48k stereo 128k, avi';

export interface Inputs {
  batch: string[];
  long: string;
  reelSeconds: number;
}

const W = 704;
const H = 544;

function videoChain(label: string, out: string): string {
  return `[${label}]scale=${W}:${H}:flags=bicubic,setsar=1,fps=25,format=yuv420p[${out}]`;
}

function audioChain(label: string, out: string): string {
  return `[${label}]aresample=48000:async=1,aformat=sample_fmts=fltp:channel_layouts=stereo[${out}]`;
}

/** One pass over every fixture with a picture, as a near-lossless mezzanine (about 79 s). */
async function makeReel(fixtures: string, reel: string): Promise<void> {
  const clips = [
    { file: 'trailer_big_buck_bunny.flv', audio: true },
    { file: 'flower.mp4', audio: true },
    { file: 'mdn-chroma-keying-video.ogv', audio: true },
    { file: 'friday.mp4', audio: true },
    { file: 'Big_Buck_Bunny_180_10s.webm', audio: false },
  ];
  const args = ['-nostdin', '-y', '-v', 'error'];
  for (const clip of clips) args.push('-i', join(fixtures, clip.file));
  // Silence for the clip that has none (the concat filter needs audio in every segment).
  args.push('-f', 'lavfi', '-t', '10', '-i', 'anullsrc=r=48000:cl=stereo');
  const silence = clips.length;
  const parts: string[] = [];
  const pairs: string[] = [];
  clips.forEach((clip, i) => {
    parts.push(videoChain(`${i}:v:0`, `v${i}`));
    parts.push(audioChain(clip.audio ? `${i}:a:0` : `${silence}:a:0`, `a${i}`));
    pairs.push(`[v${i}][a${i}]`);
  });
  parts.push(`${pairs.join('')}concat=n=${clips.length}:v=1:a=1[v][a]`);
  args.push('-filter_complex', parts.join(';'), '-map', '[v]', '-map', '[a]');
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '6', '-g', '25', '-c:a', 'pcm_s16le', reel);
  await run('ffmpeg', args);
}

/** A recipe-like AVI: `seconds` of the looped reel from `offset`. */
async function makeSource(reel: string, out: string, offset: number, seconds: number): Promise<void> {
  await run('ffmpeg', [
    '-nostdin', '-y', '-v', 'error',
    '-stream_loop', '-1', '-ss', offset.toFixed(2), '-i', reel,
    '-t', String(seconds),
    '-c:v', 'mpeg4', '-vtag', 'XVID', '-b:v', '2000k', '-maxrate', '2400k', '-bufsize', '2000k', '-g', '250', '-r', '25',
    '-c:a', 'libmp3lame', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-f', 'avi', out,
  ]);
}

async function durationOf(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

export async function makeInputs(options: {
  fixtures: string;
  dir: string;
  sources: number;
  sourceSeconds: number;
  ffmpegVersion: string;
  log: (line: string) => void;
}): Promise<Inputs> {
  const { fixtures, dir, sources, sourceSeconds, log } = options;
  mkdirSync(dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const stamp = `${RECIPE_VERSION} | ${options.ffmpegVersion}`;
  const previous = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { stamp?: string }).stamp : undefined;
  const fresh = previous === stamp;

  const reel = join(dir, 'reel.mkv');
  if (!fresh || !existsSync(reel)) {
    log('making the reel (mezzanine) from the fixtures');
    await makeReel(fixtures, reel);
  }
  const reelSeconds = await durationOf(reel);

  const batch: string[] = [];
  for (let i = 0; i < sources; i++) {
    // Offsets spread over the reel so the sources differ (and none starts on a cut).
    const offset = ((i * 9.7) % reelSeconds) + 0.04;
    const file = join(dir, `source-${sourceSeconds}s-${String(i + 1).padStart(2, '0')}.avi`);
    if (!fresh || !existsSync(file)) {
      log(`making ${file.slice(dir.length + 1)}`);
      await makeSource(reel, file, offset, sourceSeconds);
    }
    batch.push(file);
  }
  const long = join(dir, 'source-214s.avi');
  if (!fresh || !existsSync(long)) {
    log('making source-214s.avi');
    await makeSource(reel, long, 0, 214);
  }
  if (!fresh) writeFileSync(manifestPath, JSON.stringify({ stamp }, null, 2));
  return { batch, long, reelSeconds };
}
