/**
 * A job that died for lack of memory says so (issue 15). In a private window the outputs
 * themselves live in memory, and running out shows as ffmpeg's bare "Aborted()", an OPFS or
 * IndexedDB QuotaExceededError, or a RangeError from an ArrayBuffer the page could not get.
 */
import { OutputWriteError, WorkerCrashedError } from '../pool/worker-pool';
import { PRIVATE_WINDOW_ADVICE, privateWindowSentence } from '../storage/private-window';
import { StorageFullError } from '../storage/output-store';

/** ffmpeg.wasm's and V8's own words for memory it could not get (any window). */
const OUT_OF_MEMORY = /Aborted\(OOM\)|Cannot enlarge memory|out of memory|Array buffer allocation failed|allocation failed|Invalid array buffer length/i;
/** Log lines that name another cause: a bare "Aborted()" beside them is not memory. */
const OTHER_CAUSE = /misdetection possible|moov atom not found|Invalid data found|could not find codec parameters|Decoder \(codec .*\) not found|does not contain any stream|Error while decoding|Conversion failed/i;

/**
 * Whether a job's failure comes from lack of memory. `inMemory`: the page is in a private
 * window, where storage full and a bare abort mean memory too.
 *
 * @example
 * ```ts
 * looksOutOfMemory(new FfmpegExitError(1), ['Aborted()'], true); // true
 * ```
 */
export function looksOutOfMemory(error: unknown, log: readonly string[], inMemory: boolean): boolean {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  const message = error instanceof Error || error instanceof DOMException ? error.message : String(error);
  if (name === 'RangeError' || OUT_OF_MEMORY.test(message) || log.some((line) => OUT_OF_MEMORY.test(line))) return true;
  if (!inMemory) return false;
  if (name === 'QuotaExceededError' || error instanceof StorageFullError) return true;
  if (error instanceof OutputWriteError && error.failure.kind === 'quota') return true;
  if (error instanceof WorkerCrashedError) return true;
  const aborted = log.some((line) => line.trim() === 'Aborted()');
  return aborted && !log.some((line) => OTHER_CAUSE.test(line));
}

/**
 * The sentence of a job that ran out of memory; in a private window it names the window and its room.
 *
 * @example
 * ```ts
 * outOfMemorySentence(1.2e9); // 'This private window keeps outputs in memory: at most about 1.2 GB here. This job ran out of it. …'
 * ```
 */
export function outOfMemorySentence(inMemoryBytes: number | null): string {
  if (inMemoryBytes === null) return 'The browser ran out of memory for this job. Try a smaller preset, or fewer workers at once.';
  return `${privateWindowSentence(inMemoryBytes)} This job ran out of it. ${PRIVATE_WINDOW_ADVICE}`;
}
