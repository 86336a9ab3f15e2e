/**
 * WORKERFS read-ahead, with the real ffmpeg core (in Node) reading a real fixture: the same
 * bytes come out as without it, with a small fraction of the blob reads.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FFmpegCoreModule } from '../../workers/ffmpeg/core';
import { addReadAhead, type WorkerFs } from '../../workers/ffmpeg/input-read-ahead';
import { fixture } from '../support/media';
import { loadCoreInNode } from '../support/node-core';

/** Stands in for a File: a slice is a view, read by the fake FileReaderSync below. */
class FakeBlob {
  constructor(readonly bytes: Uint8Array) {}
  get size(): number {
    return this.bytes.byteLength;
  }
  slice(start: number, end: number): FakeBlob {
    return new FakeBlob(this.bytes.subarray(start, end));
  }
}

const reads: number[] = [];
class FakeFileReaderSync {
  readAsArrayBuffer(blob: FakeBlob): ArrayBuffer {
    reads.push(blob.size);
    return blob.bytes.slice().buffer;
  }
}

let core: FFmpegCoreModule;
const source = new Uint8Array(readFileSync(fixture('friday.mp4')));

beforeAll(async () => {
  (globalThis as { FileReaderSync?: unknown }).FileReaderSync = FakeFileReaderSync;
  core = await loadCoreInNode();
  core.FS.mkdir('/in');
  core.FS.mkdir('/out');
}, 60_000);

/** Remuxes the fixture from a WORKERFS mount into MEMFS; returns the output and how many blob reads it took. */
function remux(): { output: Uint8Array; blobReads: number; log: string[] } {
  reads.length = 0;
  const log: string[] = [];
  core.setLogger(({ message }) => log.push(message));
  core.FS.mount(core.FS.filesystems.WORKERFS, { blobs: [{ name: 'input.mp4', data: new FakeBlob(source) as unknown as Blob }] }, '/in');
  try {
    core.reset();
    core.exec('-nostdin', '-y', '-i', '/in/input.mp4', '-map', '0', '-c', 'copy', '-fflags', '+bitexact', '-f', 'matroska', '/out/copy.mkv');
    const output = core.FS.readFile('/out/copy.mkv');
    core.FS.unlink('/out/copy.mkv');
    return { output, blobReads: reads.length, log };
  } finally {
    core.FS.unmount('/in');
    core.setLogger(() => {});
  }
}

describe('WORKERFS read-ahead', () => {
  it('gives ffmpeg the same bytes with far fewer blob reads', () => {
    const direct = remux();
    expect(direct.output.byteLength, direct.log.join('\n')).toBeGreaterThan(source.byteLength / 2);
    addReadAhead(core.FS.filesystems.WORKERFS as WorkerFs, 256 * 1024);
    const ahead = remux();
    expect(Buffer.from(ahead.output).equals(Buffer.from(direct.output))).toBe(true);
    // 515 KB in 32 KiB reads is over a dozen blob reads; in 256 KiB windows, a handful.
    expect(direct.blobReads).toBeGreaterThan(12);
    expect(ahead.blobReads).toBeLessThanOrEqual(Math.ceil(direct.blobReads / 3));
  });

  it('is applied once however often it is asked', () => {
    const workerfs = core.FS.filesystems.WORKERFS as WorkerFs;
    const read = workerfs.stream_ops.read;
    addReadAhead(workerfs);
    expect(workerfs.stream_ops.read).toBe(read);
  });
});
