/**
 * A Mediabunny StreamTarget over an OPFS sync access handle: positioned writes, nothing kept in
 * memory. Shared by the two Mediabunny writers (the fast route and the smart cut).
 */
import { StreamTarget, type StreamTargetChunk } from 'mediabunny';

/** The slice of FileSystemSyncAccessHandle the writers use. */
export interface SyncWriter {
  write(buffer: AllowSharedBufferSource, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
}

export interface SyncTarget {
  target: StreamTarget;
  /** The end of the furthest write so far: the file's size once the muxer has finalized. */
  bytes(): number;
  /** Milliseconds spent in the handle's writes (for a log's account of the time). */
  writeMs(): number;
}

/** Empties `output` and returns a target that writes to it; Mediabunny gathers writes into `chunkBytes` pieces. */
export function syncHandleTarget(output: SyncWriter, chunkBytes: number): SyncTarget {
  let end = 0;
  let writeMs = 0;
  output.truncate(0);
  const writable = new WritableStream<StreamTargetChunk>({
    write(chunk) {
      const started = performance.now();
      let done = 0;
      while (done < chunk.data.byteLength) done += output.write(chunk.data.subarray(done), { at: chunk.position + done });
      end = Math.max(end, chunk.position + chunk.data.byteLength);
      writeMs += performance.now() - started;
    },
    close() {
      output.flush();
    },
  });
  return { target: new StreamTarget(writable, { chunked: true, chunkSize: chunkBytes }), bytes: () => end, writeMs: () => writeMs };
}
