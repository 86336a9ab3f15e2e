/**
 * Media for the end-to-end tests: where the shared fixtures live, hashes, bad inputs made
 * on the fly, and a reader for the zips that "Download all" gives.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';

/** `<repo>/../shared/fixtures`: the CI clone has shared/ beside the repository. */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures');

/** Every media file among the fixtures (friday.vtt is captions, not media). */
export const MEDIA_FIXTURES = [
  'flower.mp4',
  'flower.webm',
  'friday.mp4',
  'Big_Buck_Bunny_180_10s.webm',
  'trailer_big_buck_bunny.flv',
  'mdn-chroma-keying-video.ogv',
  'good.mp3',
] as const;

export type MediaFixture = (typeof MEDIA_FIXTURES)[number];

export function fixture(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  return sha256(await readFile(file));
}

export async function makeTempDir(prefix = 'ffbatch-e2e-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs a program to the end; rejects with its stderr when it fails. */
export function run(program: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}: ${err.trim()}`))));
  });
}

/**
 * A phone-like 1080p30 H.264/AAC clip of `seconds` (the recipes' and form's specs): flower.mp4
 * looped and upscaled, with sound that needs its bits (pink noise, 48 kHz).
 */
export function makePhoneClip(out: string, seconds: number): void {
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-v', 'error', '-nostdin', '-y', '-stream_loop', String(Math.ceil(seconds / 5)), '-i', fixture('flower.mp4'),
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.2:sample_rate=48000:duration=${seconds}`,
    '-map', '0:v:0', '-map', '1:a:0', '-t', String(seconds), '-vf', 'scale=1920:1080,fps=30',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '160k', out,
  ]);
}

/** Bytes that look like nothing (a fixed seed: the same bytes on every run). */
export function pseudoRandomBytes(length: number, seed = 0x2545f491): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** The name a person might give a file: spaces, accents, '#', '%', brackets, a dash. */
export const AWKWARD_NAME = 'Été #2 — 50% (final) [v1].mp4';

export interface BadInputs {
  dir: string;
  /** 0 bytes. */
  empty: string;
  /** 200 kB of noise named .mp4. */
  random: string;
  /** A plain text note named .mov. */
  text: string;
  /** The first 300 kB of an MP4 whose moov box sits at the end: mdat cut short, no moov. */
  truncated: string;
  /** flower.mp4 under AWKWARD_NAME. */
  awkward: string;
}

/** Writes the bad (and awkwardly named) inputs into a fresh temp dir. */
export async function makeBadInputs(): Promise<BadInputs> {
  const dir = await makeTempDir('ffbatch-bad-');
  const empty = path.join(dir, 'empty.mp4');
  const random = path.join(dir, 'random-bytes.mp4');
  const text = path.join(dir, 'notes.mov');
  const truncated = path.join(dir, 'truncated.mp4');
  const awkward = path.join(dir, AWKWARD_NAME);
  const slowStart = path.join(dir, 'moov-at-end.mp4');
  await writeFile(empty, new Uint8Array(0));
  await writeFile(random, pseudoRandomBytes(200_000));
  await writeFile(text, 'Shopping list\n- milk\n- a new camera\nThis is a text note, not a film.\n'.repeat(40), 'utf8');
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', fixture('flower.mp4'), '-c', 'copy', '-movflags', '-faststart', slowStart]);
  const whole = await readFile(slowStart);
  await writeFile(truncated, whole.subarray(0, 300_000));
  await copyFile(fixture('flower.mp4'), awkward);
  return { dir, empty, random, text, truncated, awkward };
}

export interface ZipEntry {
  name: string;
  method: number;
  data: Buffer;
  crcOk: boolean;
}

/**
 * Reads a zip through its central directory (stored or deflated entries; ZIP64 sizes
 * where the 32-bit fields say 0xffffffff). Enough for the zips client-zip writes.
 */
export function readZip(zip: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end of central directory record');
  let count = zip.readUInt16LE(eocd + 10);
  let cdOffset = zip.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && zip.readUInt32LE(locator) === 0x07064b50) {
    const eocd64 = Number(zip.readBigUInt64LE(locator + 8));
    count = Number(zip.readBigUInt64LE(eocd64 + 32));
    cdOffset = Number(zip.readBigUInt64LE(eocd64 + 48));
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    let compressed = zip.readUInt32LE(p + 20);
    let uncompressed = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    let localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    // ZIP64 extra field: the 64-bit values follow in order, only for the fields that overflowed.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e);
      const len = zip.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressed === 0xffffffff) {
          uncompressed = Number(zip.readBigUInt64LE(q));
          q += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = Number(zip.readBigUInt64LE(q));
          q += 8;
        }
        if (localOffset === 0xffffffff) localOffset = Number(zip.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressed);
    if (method !== 0) throw new Error(`${name}: compression method ${method}; only stored entries are expected`);
    entries.push({ name, method, data, crcOk: data.length === uncompressed && crc32(data) === crc });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
