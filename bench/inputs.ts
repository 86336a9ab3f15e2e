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

// v2: sources cut from a pre-looped reel (v1 cut with -stream_loop plus -ss, which left the
// audio of sources starting past 0 s up to 40 s longer than their video).
export const RECIPE_VERSION = 'reel-v2 mpeg4 704x544 25fps 2000k + mp3 48k stereo 128k, avi';

export interface Inputs {
  batch: string[];
  long: string;
  reelSeconds: number;
}

const W = 704;
const LONG_SECONDS = 214;
/** Seconds between the starting points of consecutive batch sources in the looped reel. */
const OFFSET_STEP = 9.7;
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

/**
 * The reel looped `times` over, re-encoded as one mezzanine, so that sources are plain cuts
 * of it (no -stream_loop at cut time: with -ss it mistimes the audio).
 */
async function loopReel(dir: string, reel: string, out: string, times: number): Promise<void> {
  const list = join(dir, 'reel-loop.txt');
  writeFileSync(list, `${Array.from({ length: times }, () => `file '${reel}'`).join('\n')}\n`);
  await run('ffmpeg', [
    '-nostdin', '-y', '-v', 'error',
    '-f', 'concat', '-safe', '0', '-i', list,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '6', '-g', '25', '-c:a', 'pcm_s16le', out,
  ]);
}

/** A recipe-like AVI: `seconds` of the looped reel from `offset`. */
async function makeSource(reel: string, out: string, offset: number, seconds: number): Promise<void> {
  await run('ffmpeg', [
    '-nostdin', '-y', '-v', 'error',
    '-ss', offset.toFixed(2), '-i', reel,
    '-t', String(seconds),
    '-c:v', 'mpeg4', '-vtag', 'XVID', '-b:v', '2000k', '-maxrate', '2400k', '-bufsize', '2000k', '-g', '250', '-r', '25',
    '-c:a', 'libmp3lame', '-b:a', '128k', '-ar', '48000', '-ac', '2',
    '-f', 'avi', out,
  ]);
  await checkStreams(out, seconds);
}

/** Video and audio must both last `seconds` (within half a second): the benchmark relies on it. */
async function checkStreams(file: string, seconds: number): Promise<void> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,nb_read_packets,sample_rate', '-of', 'json', file]);
  const streams = (JSON.parse(stdout) as { streams: { codec_type: string; nb_read_packets: string; sample_rate?: string }[] }).streams;
  const video = streams.find((st) => st.codec_type === 'video');
  const audio = streams.find((st) => st.codec_type === 'audio');
  const videoSec = Number(video?.nb_read_packets) / 25;
  // MP3: 1152 samples a packet.
  const audioSec = (Number(audio?.nb_read_packets) * 1152) / Number(audio?.sample_rate ?? 48000);
  if (!(Math.abs(videoSec - seconds) < 0.5 && Math.abs(audioSec - seconds) < 0.5)) {
    throw new Error(`${file}: video ${videoSec.toFixed(2)} s and audio ${audioSec.toFixed(2)} s, expected ${seconds} s both.`);
  }
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
  // Long enough for the last source's offset plus its length, and for the 214 s source.
  const need = Math.max(LONG_SECONDS, sourceSeconds + ((Math.max(0, sources - 1) * OFFSET_STEP) % reelSeconds) + 1);
  const times = Math.ceil(need / reelSeconds);
  const looped = join(dir, `reel-x${times}.mkv`);
  if (!fresh || !existsSync(looped)) {
    log(`looping the reel ${times} times`);
    await loopReel(dir, reel, looped, times);
  }

  const batch: string[] = [];
  for (let i = 0; i < sources; i++) {
    // Offsets spread over the reel so the sources differ (and none starts on a cut).
    const offset = ((i * OFFSET_STEP) % reelSeconds) + 0.04;
    const file = join(dir, `source-${sourceSeconds}s-${String(i + 1).padStart(2, '0')}.avi`);
    if (!fresh || !existsSync(file)) {
      log(`making ${file.slice(dir.length + 1)}`);
      await makeSource(looped, file, offset, sourceSeconds);
    }
    batch.push(file);
  }
  const long = join(dir, `source-${LONG_SECONDS}s.avi`);
  if (!fresh || !existsSync(long)) {
    log(`making source-${LONG_SECONDS}s.avi`);
    await makeSource(looped, long, 0, LONG_SECONDS);
  }
  if (!fresh) writeFileSync(manifestPath, JSON.stringify({ stamp }, null, 2));
  return { batch, long, reelSeconds };
}
