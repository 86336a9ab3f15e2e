import { FfmpegExitError, type WorkerPool } from '../pool/worker-pool';
import { presetById, PresetMismatchError } from '../presets/presets';
import type { OutputRecord, OutputStore } from '../storage/output-store';
import { JobFailedError, throwIfAborted } from './errors';
import { explainFailure, parseOutTime, parseSpeed, progressOf } from './ffmpeg-log';
import type { Job } from './job';
import type { JobRunner } from './scheduler';
import { workerInputName, type Source } from './source';

const LOG_TAIL_LINES = 40;

export interface EncodeRunnerDeps {
  pool: Pick<WorkerPool, 'run'>;
  store: Pick<OutputStore, 'put'>;
  sourceOf(id: string): Source | undefined;
  /** Told of each stored output, with the Blob read back from storage. */
  onStored(job: Job, record: OutputRecord, blob: Blob): void;
}

/** Runs one (source × preset) job: build the arguments, encode in a worker, store the output. */
export function createEncodeRunner(deps: EncodeRunnerDeps): JobRunner {
  return async (job, { signal, onLog, onProgress }) => {
    const source = deps.sourceOf(job.sourceId);
    if (!source) throw new JobFailedError('The source file is no longer in the list.');
    await source.probed;
    throwIfAborted(signal);
    if (source.problem || !source.info) throw new JobFailedError(source.problem ?? 'The file could not be read.');

    const preset = presetById(job.presetId);
    const inputName = workerInputName(source.file.name);
    const outputFile = `output.${preset.extension}`;
    let args: string[];
    try {
      args = preset.args(source.info, { input: `/in/${inputName}`, output: `/out/${outputFile}` });
    } catch (error) {
      if (error instanceof PresetMismatchError) throw new JobFailedError(error.message);
      throw error;
    }

    const durationSec = source.info.durationSec;
    const startedAt = Date.now();
    let result;
    try {
      result = await deps.pool.run(
        { inputs: [{ name: inputName, data: source.file }], args, outputs: [outputFile] },
        (lines) => {
          onLog(lines);
          for (let i = lines.length - 1; i >= 0; i--) {
            const line = lines[i] ?? '';
            const outTime = parseOutTime(line);
            if (outTime !== null) {
              onProgress({ progress: progressOf(outTime, durationSec), speed: parseSpeed(line) });
              break;
            }
          }
        },
        signal,
      );
    } catch (error) {
      if (error instanceof FfmpegExitError) throw new JobFailedError(explainFailure(job.log, error.exitCode));
      throw error;
    }

    const bytes = result.outputs[0];
    if (!bytes || bytes.byteLength === 0) {
      throw new JobFailedError(`ffmpeg finished but wrote an empty ${preset.extension.toUpperCase()} file. ${explainFailure(job.log, 0)}`);
    }
    throwIfAborted(signal);
    const record: OutputRecord = {
      id: job.id,
      sourceName: source.file.name,
      sourceSize: source.file.size,
      sourceLastModified: source.file.lastModified,
      presetId: preset.id,
      outputName: job.outputName,
      outputSize: bytes.byteLength,
      mimeType: preset.mimeType,
      startedAt,
      endedAt: Date.now(),
      exitCode: result.exitCode,
      logTail: job.log.slice(-LOG_TAIL_LINES),
    };
    const stored = await deps.store.put(record, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: preset.mimeType }));
    deps.onStored(job, record, stored);
    return { outputSize: bytes.byteLength };
  };
}
