/**
 * Read-ahead for inputs mounted with WORKERFS. WORKERFS answers every read of ffmpeg (32 KiB
 * at a time) with a `FileReaderSync` call on a slice of the File, a round trip to the
 * browser's blob system each: a few GB of input make over a hundred thousand of them. This
 * wraps its read so that one call fetches a window of several MiB and the reads that fall
 * inside it are copies. The core's own WORKERFS object is patched once; nothing else changes.
 */

interface BlobNode {
  contents: Blob;
  size: number;
}

interface WorkerFsStream {
  node: BlobNode;
}

type Read = (stream: WorkerFsStream, buffer: Uint8Array, offset: number, length: number, position: number) => number;

/** The slice of the core's WORKERFS object this needs. */
export interface WorkerFs {
  reader: { readAsArrayBuffer(blob: Blob): ArrayBuffer } | null;
  stream_ops: { read: Read };
}

interface Window {
  start: number;
  bytes: Uint8Array;
}

export const READ_AHEAD_BYTES = 4 * 1024 * 1024;

const patched = new WeakSet<object>();

export function addReadAhead(workerfs: WorkerFs, windowBytes = READ_AHEAD_BYTES): void {
  if (patched.has(workerfs)) return;
  patched.add(workerfs);
  const direct = workerfs.stream_ops.read;
  // Two windows per file, the last used first: ffmpeg reads mostly forward, and a file whose
  // streams lie far apart (badly interleaved) alternates between two places.
  const windows = new WeakMap<BlobNode, Window[]>();
  workerfs.stream_ops.read = (stream, buffer, offset, length, position) => {
    const node = stream.node;
    const reader = workerfs.reader;
    if (!reader || length >= windowBytes) return direct(stream, buffer, offset, length, position);
    if (position >= node.size) return 0;
    const wanted = Math.min(length, node.size - position);
    const kept = windows.get(node) ?? [];
    let window = kept.find((w) => position >= w.start && position + wanted <= w.start + w.bytes.byteLength);
    if (!window) {
      const end = Math.min(node.size, position + windowBytes);
      window = { start: position, bytes: new Uint8Array(reader.readAsArrayBuffer(node.contents.slice(position, end))) };
    }
    windows.set(node, [window, ...kept.filter((w) => w !== window)].slice(0, 2));
    const from = position - window.start;
    const count = Math.min(length, window.bytes.byteLength - from);
    buffer.set(window.bytes.subarray(from, from + count), offset);
    return count;
  };
}
