/**
 * The worker's OPFS file system, with the real ffmpeg core (run in Node) writing through it
 * onto fake sync access handles: positional reads and writes, SEEK_END, reopening read-only
 * (MP4 fast start), seeking back to patch headers (Matroska, FLV), truncation, refusals.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpfsFs, ERRNO, type SyncFile, type WriteFailure } from '../../workers/ffmpeg/opfs-fs';
import type { FFmpegCoreModule } from '../../workers/ffmpeg/core';
import { durationOf, ffprobe, streamsOf, topLevelBoxes } from '../support/ffprobe';
import { makeTempDir, removeDir } from '../support/media';
import { loadCoreInNode } from '../support/node-core';

/** An in-memory stand-in for FileSystemSyncAccessHandle that logs what was asked of it. */
class FakeSyncFile implements SyncFile {
  bytes = new Uint8Array(0);
  readonly calls: string[] = [];
  /** Writes that would take the file past this size throw QuotaExceededError, as OPFS does. */
  quota = Infinity;

  read(buffer: ArrayBufferView, { at }: { at: number }): number {
    this.calls.push(`read ${at}`);
    const target = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const chunk = this.bytes.subarray(at, at + target.byteLength);
    target.set(chunk);
    return chunk.byteLength;
  }

  write(buffer: ArrayBufferView, { at }: { at: number }): number {
    this.calls.push(`write ${at}`);
    const source = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const end = at + source.byteLength;
    if (end > this.quota) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
    if (end > this.bytes.byteLength) {
      const grown = new Uint8Array(end);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(source, at);
    return source.byteLength;
  }

  truncate(size: number): void {
    this.calls.push(`truncate ${size}`);
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, size));
    this.bytes = next;
  }

  getSize(): number {
    return this.bytes.byteLength;
  }

  flush(): void {}
}

let core: FFmpegCoreModule;
let dir: string;
let mountCount = 0;

beforeAll(async () => {
  core = await loadCoreInNode();
  dir = await makeTempDir('ffbatch-opfs-fs-');
}, 60_000);

afterAll(async () => {
  await removeDir(dir);
});

/** Mounts fresh fake files at a new mount point; returns them by name. */
function mountFakes(names: string[]): { at: string; files: Map<string, FakeSyncFile>; failures: WriteFailure[] } {
  const files = new Map(names.map((name) => [name, new FakeSyncFile()]));
  const failures: WriteFailure[] = [];
  const at = `/opfs-${++mountCount}`;
  core.FS.mkdir(at);
  core.FS.mount(createOpfsFs(core.FS, files, failures), {}, at);
  return { at, files, failures };
}

function errnoOf(run: () => unknown): number | undefined {
  try {
    run();
  } catch (error) {
    return (error as { errno?: number }).errno;
  }
  return undefined;
}

/**
 * Runs ffmpeg on a generated 2 s clip (test pattern + tone) and returns its log. Noise at a
 * high quality makes a few MB, so ffmpeg writes in many buffers, not one at the end.
 */
function encode(args: string[]): { exitCode: number; log: string[] } {
  const log: string[] = [];
  core.setLogger(({ message }) => log.push(message));
  core.reset();
  const video = 'testsrc=size=320x240:rate=25:duration=2,noise=alls=60:allf=t';
  const exitCode = core.exec('-nostdin', '-y', '-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-q:v', '2', ...args);
  core.setLogger(() => {});
  return { exitCode, log };
}

/** A number of an FLV's onMetaData (AMF0: the key, then type 0 and a big-endian double). */
function flvMetaNumber(bytes: Uint8Array, key: string): number | null {
  const head = Buffer.from(bytes.subarray(0, 4096));
  const at = head.indexOf(key);
  if (at < 0 || head[at + key.length] !== 0) return null;
  return head.readDoubleBE(at + key.length + 1);
}

async function saved(file: FakeSyncFile, name: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, file.bytes);
  return target;
}

describe('OPFS file system: file operations', () => {
  it('writes and reads at positions, seeks from the end, truncates and reopens read-only', () => {
    const { at, files } = mountFakes(['a.bin']);
    const fake = files.get('a.bin')!;
    const stream = core.FS.open(`${at}/a.bin`, 'w+');
    core.FS.write(stream, new Uint8Array([1, 2, 3, 4, 5, 6]), 0, 6);
    core.FS.write(stream, new Uint8Array([9, 9]), 0, 2, 1); // pwrite: does not move the position
    expect(stream.position).toBe(6);
    expect(core.FS.llseek(stream, -2, 2)).toBe(4); // SEEK_END, from the handle's size
    const tail = new Uint8Array(2);
    expect(core.FS.read(stream, tail, 0, 2)).toBe(2);
    expect([...tail]).toEqual([5, 6]);
    core.FS.close(stream);
    expect(core.FS.stat(`${at}/a.bin`).size).toBe(6);

    const reader = core.FS.open(`${at}/a.bin`, 'r');
    const all = new Uint8Array(8);
    expect(core.FS.read(reader, all, 0, 8, 0)).toBe(6);
    expect([...all.subarray(0, 6)]).toEqual([1, 9, 9, 4, 5, 6]);
    expect(errnoOf(() => core.FS.write(reader, new Uint8Array([0]), 0, 1))).toBe(8); // EBADF: opened read-only
    core.FS.close(reader);

    core.FS.truncate(`${at}/a.bin`, 3);
    expect(fake.bytes).toEqual(new Uint8Array([1, 9, 9]));
    // Opening with O_TRUNC (as ffmpeg's -y does) empties the file through the handle.
    core.FS.close(core.FS.open(`${at}/a.bin`, 'w'));
    expect(fake.getSize()).toBe(0);
    expect(fake.calls).toContain('truncate 0');
  });

  it('refuses names that were not opened beforehand, folders, and renames', () => {
    const { at } = mountFakes(['expected.mp4']);
    expect(errnoOf(() => core.FS.open(`${at}/other.mp4`, 'w'))).toBe(ERRNO.EACCES);
    expect(errnoOf(() => core.FS.mkdir(`${at}/sub`))).toBe(ERRNO.EACCES);
    expect(errnoOf(() => core.FS.open(`${at}/expected.mp4`, 'r'))).toBe(ERRNO.ENOENT); // not created yet
    expect(core.FS.analyzePath(`${at}/expected.mp4`).exists).toBe(false);
    core.FS.close(core.FS.open(`${at}/expected.mp4`, 'w'));
    expect(core.FS.analyzePath(`${at}/expected.mp4`).exists).toBe(true);
    expect(core.FS.readdir(at)).toEqual(['.', '..', 'expected.mp4']);
  });

  it('turns a full quota into ENOSPC for ffmpeg and keeps the cause for the page', () => {
    const { at, files, failures } = mountFakes(['big.bin']);
    files.get('big.bin')!.quota = 4;
    const stream = core.FS.open(`${at}/big.bin`, 'w');
    expect(errnoOf(() => core.FS.write(stream, new Uint8Array(8), 0, 8))).toBe(ERRNO.ENOSPC);
    core.FS.close(stream);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.name).toBe('big.bin');
    expect((failures[0]?.error as DOMException).name).toBe('QuotaExceededError');
  });
});

describe('OPFS file system: real ffmpeg writes through it', () => {
  it('an MP4 with +faststart: ffmpeg reopens it read-only and moves the moov before the mdat', async () => {
    const { at, files } = mountFakes(['out.mp4']);
    const { exitCode, log } = encode(['-c:v', 'mpeg4', '-c:a', 'aac', '-movflags', '+faststart', `${at}/out.mp4`]);
    expect(exitCode, log.join('\n')).toBe(0);
    const fake = files.get('out.mp4')!;
    // The second pass reads what the first wrote: reads at positions, then rewrites.
    expect(fake.calls.some((call) => call.startsWith('read '))).toBe(true);
    const file = await saved(fake, 'out.mp4');
    const boxes = (await topLevelBoxes(file)).map((box) => box.type);
    expect(boxes.indexOf('moov')).toBeGreaterThanOrEqual(0);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
    const probe = await ffprobe(file);
    expect(streamsOf(probe, 'video')[0]?.codec_name).toBe('mpeg4');
    expect(streamsOf(probe, 'audio')[0]?.codec_name).toBe('aac');
    expect(durationOf(probe)).toBeCloseTo(2, 1);
  });

  it('a Matroska/WebM file: the muxer seeks back to write its duration and cues', async () => {
    const { at, files } = mountFakes(['out.mkv']);
    const { exitCode, log } = encode(['-c:v', 'mpeg4', '-c:a', 'libmp3lame', '-f', 'matroska', `${at}/out.mkv`]);
    expect(exitCode, log.join('\n')).toBe(0);
    const fake = files.get('out.mkv')!;
    const writes = fake.calls.filter((call) => call.startsWith('write ')).map((call) => Number(call.slice(6)));
    // A write at a position before an earlier one's: the header was patched in place.
    expect(writes.some((position, i) => i > 0 && position < (writes[i - 1] ?? 0))).toBe(true);
    const probe = await ffprobe(await saved(fake, 'out.mkv'));
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
    expect(streamsOf(probe, 'video')).toHaveLength(1);
    expect(streamsOf(probe, 'audio')).toHaveLength(1);
  });

  it('an FLV file: the muxer seeks back to write duration and file size into its header', async () => {
    const { at, files } = mountFakes(['out.flv']);
    const { exitCode, log } = encode(['-c:v', 'flv', '-c:a', 'libmp3lame', '-ar', '44100', '-f', 'flv', `${at}/out.flv`]);
    expect(exitCode, log.join('\n')).toBe(0);
    const fake = files.get('out.flv')!;
    // Written as 0 at the start; the real values land only if the seek back worked.
    expect(flvMetaNumber(fake.bytes, 'duration')).toBeCloseTo(2, 1);
    expect(flvMetaNumber(fake.bytes, 'filesize')).toBe(fake.getSize());
    const probe = await ffprobe(await saved(fake, 'out.flv'));
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
    expect(streamsOf(probe, 'audio')[0]?.codec_name).toBe('mp3');
  });

  it('a full disk: ffmpeg logs "No space left on device", and the failure is kept even where ffmpeg exits 0', () => {
    const { at, files, failures } = mountFakes(['out.mkv']);
    files.get('out.mkv')!.quota = 100_000;
    const { log } = encode(['-c:v', 'mpeg4', '-f', 'matroska', `${at}/out.mkv`]);
    expect(log.join('\n')).toMatch(/No space left on device/);
    // ffmpeg 5.1 exits 0 when only its trailer could not be written: the worker reads `failures`.
    expect(failures.length).toBeGreaterThan(0);
  });
});
