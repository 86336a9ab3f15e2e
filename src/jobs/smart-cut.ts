/**
 * "Streams copied" through Mediabunny in a pool worker (workers/smart-cut/smart-cut.ts): a remux whose
 * moov is reserved at the front (one pass, no +faststart rewrite), and with a trim, a smart
 * cut (only the frames from In to the next keyframe are encoded again). For the job runner
 * to call for `mp4-remux`; null means the worker's Mediabunny cannot read this source, and the
 * job runs ffmpeg's own remux (`-ss/-to -c copy`: keyframe-exact) instead.
 */
import * as Comlink from 'comlink';
import type { WorkerPool } from '../pool/worker-pool';
import type { LogSink, MountedInput, ProgressSink, SmartCutOutput } from '../../workers/protocol';
import { isAbortError } from '../shared/abort';
import { JobFailedError } from './errors';

export interface SmartCutRun {
  input: MountedInput;
  /** Source presentation times in seconds; null: the whole file. */
  trim: { start: number; end: number | null } | null;
  output: string;
  scratchFolder: string[];
  onProgress: ProgressSink;
  onLog: LogSink;
  signal?: AbortSignal;
}

/** Whether an error from the worker says the route cannot read this source (rebuilt from the name Comlink carries). */
export function isSmartCutUnsupported(error: unknown): boolean {
  return error instanceof Error && error.name === 'SmartCutUnsupportedError';
}

/**
 * Runs one remux or smart cut on a pool worker. Null when the source is not one Mediabunny
 * reads (the caller falls back to ffmpeg); any other failure throws, as an encode's would.
 *
 * @example
 * ```ts
 * const cut = await runSmartCut(pool, { input, trim: { start: 12.4, end: 612.4 }, output: 'output.mp4', scratchFolder, onProgress, onLog });
 * if (cut?.note) job.log.push(cut.note); // the cut fell on the keyframe before In
 * ```
 */
export async function runSmartCut(pool: Pick<WorkerPool, 'use'>, run: SmartCutRun): Promise<SmartCutOutput | null> {
  const request = { input: run.input, trim: run.trim, output: run.output, scratchFolder: run.scratchFolder };
  return pool.use(async (api) => {
    try {
      return await api.smartCut(request, Comlink.proxy(run.onProgress), Comlink.proxy(run.onLog));
    } catch (error) {
      // Resolving keeps the worker: an unreadable source spoils nothing.
      if (isSmartCutUnsupported(error)) return null;
      if (isAbortError(error) || !(error instanceof Error)) throw error;
      throw new JobFailedError(error.name === 'RangeError' ? error.message : `The remux failed: ${error.message}`);
    }
  }, run.signal);
}
