import { FfmpegExitError, OutputWriteError, type WorkerPool } from '../pool/worker-pool';
import { presetById, PresetMismatchError, type Preset, type PresetParts } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import { StorageFullError, type OutputRecord, type OutputStore } from '../storage/output-store';
import { StorageBudgetError, type StorageBudget } from '../storage/storage-budget';
import type { MountedInput, RunRequest } from '../../workers/protocol';
import { isAbortError, JobFailedError, throwIfAborted } from './errors';
import { explainFailure, parseOutTime, parseSpeed, progressOf } from './ffmpeg-log';
import type { Job } from './job';
import type { JobRunner, RunContext } from './scheduler';
import { DEFAULT_SPLIT_POLICY, planSegments, segmentCount, type Segment, type SplitPolicy } from './segment-plan';
import { workerInputName, type Source } from './source';

const LOG_TAIL_LINES = 40;
/** Share of a split job's progress taken by the video segments; the rest is audio + join. */
const SEGMENTS_SHARE = 0.9;

/** Where workers write a job's outputs before they are stored (OPFS); see ScratchSpace. */
export interface Scratch {
  /** False where storage would keep a mere reference to a scratch File (Chromium off the record). */
  readonly storeCopiesFiles: boolean;
  folderForRun(jobId: string): string[];
  removeJob(jobId: string): Promise<void>;
}

export interface EncodeRunnerDeps {
  pool: Pick<WorkerPool, 'run'>;
  store: Pick<OutputStore, 'put'>;
  /** Null where the browser has no OPFS: outputs then come back from wasm memory. */
  scratch: Scratch | null;
  /** Null where the browser gives no storage estimate. */
  budget: Pick<StorageBudget, 'reserve'> | null;
  sourceOf(id: string): Source | undefined;
  /** Told of each stored output, with the Blob read back from storage. */
  onStored(job: Job, record: OutputRecord, blob: Blob): void;
  splitPolicy?: SplitPolicy;
}

/** What one encode needs, whole or split. */
interface EncodePlan {
  job: Job;
  source: Source;
  info: SourceInfo;
  preset: Preset;
  input: MountedInput;
  context: RunContext;
  /** A fresh OPFS folder for each worker run of this job, or undefined for wasm memory. */
  scratchFolder(): string[] | undefined;
}

/** Runs one (source × preset) job: build the arguments, encode in workers, store the output. */
export function createEncodeRunner(deps: EncodeRunnerDeps): JobRunner {
  return async (job, context) => {
    const source = deps.sourceOf(job.sourceId);
    if (!source) throw new JobFailedError('The source file is no longer in the list.');
    await source.probed;
    throwIfAborted(context.signal);
    if (source.problem || !source.info) throw new JobFailedError(source.problem ?? 'The file could not be read.');

    const preset = presetById(job.presetId);
    const { scratch, budget } = deps;
    const plan: EncodePlan = {
      job,
      source,
      info: source.info,
      preset,
      input: { name: workerInputName(source.file.name), data: source.file },
      context,
      scratchFolder: () => scratch?.folderForRun(job.id),
    };
    let release = (): void => {};
    try {
      if (budget) release = await reserveStorage(budget, preset, source.info, source.file.size, context.signal);
      return await encodeAndStore(deps, plan);
    } finally {
      release();
      // The output is in IndexedDB now (or the job failed): its scratch files go.
      await scratch?.removeJob(job.id).catch(() => {});
    }
  };
}

async function reserveStorage(budget: Pick<StorageBudget, 'reserve'>, preset: Preset, info: SourceInfo, sourceBytes: number, signal: AbortSignal): Promise<() => void> {
  try {
    return await budget.reserve(preset.estimateBytes(info, sourceBytes), signal);
  } catch (error) {
    if (error instanceof StorageBudgetError) throw new JobFailedError(error.message);
    throw error;
  }
}

/**
 * The Blob to store. A disk-backed File from OPFS is copied into IndexedDB disk to disk,
 * except where the browser would keep only a reference to the scratch file, which is about
 * to be removed: there the bytes are streamed into a Blob of their own first.
 */
async function storable(output: Blob, type: string, scratch: Scratch | null): Promise<Blob> {
  if (scratch && !scratch.storeCopiesFiles) return (await new Response(output.stream()).blob()).slice(0, output.size, type);
  return output.type === type ? output : output.slice(0, output.size, type);
}

function writeFailureSentence(error: OutputWriteError): string {
  return error.failure.kind === 'quota'
    ? "The browser's storage for this page ran out while the output was being written. Delete some stored outputs or free space on the disk, then try again."
    : `The output could not be written to the browser's storage: ${error.failure.message}`;
}

async function encodeAndStore(deps: EncodeRunnerDeps, plan: EncodePlan): Promise<{ outputSize: number }> {
  const { job, source, info, preset, context } = plan;
  const startedAt = Date.now();
  let output: Blob;
  try {
    const parts = preset.parts?.(info) ?? null;
    const segments = parts ? segmentCount(info.durationSec, context.slots, deps.splitPolicy ?? DEFAULT_SPLIT_POLICY) : 1;
    output = parts && segments > 1 ? await encodeSplit(deps.pool, plan, parts, segments) : await encodeWhole(deps.pool, plan);
  } catch (error) {
    if (error instanceof PresetMismatchError) throw new JobFailedError(error.message);
    if (error instanceof OutputWriteError) throw new JobFailedError(writeFailureSentence(error));
    if (error instanceof FfmpegExitError) throw new JobFailedError(explainFailure(job.log, error.exitCode, source.file.name));
    throw error;
  }
  if (output.size === 0) {
    throw new JobFailedError(`ffmpeg finished but wrote an empty ${preset.extension.toUpperCase()} file. ${explainFailure(job.log, 0, source.file.name)}`);
  }
  throwIfAborted(context.signal);

  const record: OutputRecord = {
    id: job.id,
    sourceName: source.file.name,
    sourceSize: source.file.size,
    sourceLastModified: source.file.lastModified,
    presetId: preset.id,
    outputName: job.outputName,
    outputSize: output.size,
    mimeType: preset.mimeType,
    startedAt,
    endedAt: Date.now(),
    exitCode: 0,
    logTail: job.log.slice(-LOG_TAIL_LINES),
  };
  let stored: Blob;
  try {
    stored = await deps.store.put(record, await storable(output, preset.mimeType, deps.scratch));
  } catch (error) {
    if (error instanceof StorageFullError) throw new JobFailedError(error.message);
    throw error;
  }
  deps.onStored(job, record, stored);
  return { outputSize: output.size };
}

/** The last `frame=` count of ffmpeg's stats lines, or null when there is none. */
function lastFrameCount(log: readonly string[]): number | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const match = /frame=\s*(\d+)/.exec(log[i] ?? '');
    if (match) return Number(match[1]);
  }
  return null;
}

/** Calls `onTime` with the last `time=` of a batch of log lines. */
function lastOutTime(lines: readonly string[], onTime: (seconds: number, line: string) => void): void {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    const seconds = parseOutTime(line);
    if (seconds !== null) {
      onTime(seconds, line);
      return;
    }
  }
}

async function encodeWhole(pool: Pick<WorkerPool, 'run'>, plan: EncodePlan): Promise<Blob> {
  const { preset, info, input, context } = plan;
  const outputFile = `output.${preset.extension}`;
  const args = preset.args(info, { input: `/in/${input.name}`, output: `/out/${outputFile}` });
  const result = await pool.run(
    withScratch({ inputs: [input], args, outputs: [outputFile] }, plan),
    (lines) => {
      context.onLog(lines);
      lastOutTime(lines, (seconds, line) => context.onProgress({ progress: progressOf(seconds, info.durationSec), speed: parseSpeed(line) }));
    },
    context.signal,
  );
  return result.outputs[0] ?? new Blob([]);
}

function withScratch(request: RunRequest, plan: EncodePlan): RunRequest {
  const scratchFolder = plan.scratchFolder();
  return scratchFolder ? { ...request, scratchFolder } : request;
}

/**
 * A long source cut in time segments, each encoded (video only) by its own worker at
 * once; then one worker joins them by stream copy (concat demuxer) and encodes the
 * audio whole, so the sound has no seams.
 */
async function encodeSplit(pool: Pick<WorkerPool, 'run'>, plan: EncodePlan, parts: PresetParts, count: number): Promise<Blob> {
  const { job, preset, info, input, context } = plan;
  const duration = info.durationSec ?? 0;
  const frameRate = parts.fps ?? info.video?.fps ?? 25;
  const segments = planSegments(duration, count, frameRate);
  // Frame timing as the whole encode has it: constant-rate for MP4 (its muxer's default) and
  // for the fixed-rate presets (gaps in the source filled); WebM keeps the source's timing.
  const fpsMode = parts.fps !== null || preset.container === 'mp4' ? 'cfr' : 'vfr';
  // NUT holds every codec with exact timestamps; VP9 goes in its own WebM (libvpx-vp9
  // into NUT crashed the wasm core with "memory access out of bounds").
  const segmentFormat = preset.container === 'webm' ? 'webm' : 'nut';
  const segmentName = (index: number): string => `segment-${index}.${segmentFormat}`;
  const segmentLength = (s: Segment): number => s.duration ?? Math.max(0.001, duration - s.start);
  const done = segments.map(() => 0);
  const reportProgress = (extra: number): void => {
    const videoSeconds = done.reduce((sum, d) => sum + d, 0);
    context.onProgress({ progress: Math.min(1, SEGMENTS_SHARE * progressOf(videoSeconds, duration) + extra), speed: null });
  };
  context.onLog([`[ffbatch] ${info.durationSec?.toFixed(1)} s source split into ${count} segments encoded at once; audio is encoded whole when they are joined.`]);

  // One failing segment stops its siblings at once.
  const siblings = new AbortController();
  const stopSiblings = (): void => siblings.abort();
  context.signal.addEventListener('abort', stopSiblings);
  let blobs: Blob[];
  try {
    blobs = await Promise.all(
      segments.map(async (segment) => {
        const name = segmentName(segment.index);
        const tag = `[part ${segment.index + 1}/${count}]`;
        const segmentLog: string[] = [];
        const args = [
          ...(segment.start > 0 ? ['-ss', String(segment.start)] : []),
          ...(segment.duration !== null ? ['-t', String(segment.duration)] : []),
          '-i', `/in/${input.name}`,
          '-map', '0:v:0', '-an',
          '-vf', ['setpts=PTS-STARTPTS', parts.filters].filter(Boolean).join(','),
          '-fps_mode:v', fpsMode,
          ...parts.video,
          '-f', segmentFormat, `/out/${name}`,
        ];
        try {
          const result = await pool.run(
            withScratch({ inputs: [input], args, outputs: [name] }, plan),
            (lines) => {
              segmentLog.push(...lines);
              context.onLog(lines.map((line) => `${tag} ${line}`));
              lastOutTime(lines, (seconds) => {
                done[segment.index] = Math.min(seconds, segmentLength(segment));
                reportProgress(0);
              });
            },
            siblings.signal,
          );
          const segmentFile = result.outputs[0];
          if (!segmentFile || segmentFile.size === 0 || lastFrameCount(segmentLog) === 0) {
            throw new JobFailedError(
              `Segment ${segment.index + 1} of ${count} (from ${Math.round(segment.start)} s) has no frames: the file ends before the ${Math.round(duration)} s it claims to last, so it was probably cut short.`,
            );
          }
          done[segment.index] = segmentLength(segment);
          // On disk (OPFS) until the join reads it through WORKERFS.
          return segmentFile;
        } catch (error) {
          siblings.abort();
          if (isAbortError(error) || error instanceof JobFailedError) throw error;
          if (error instanceof OutputWriteError) throw new JobFailedError(writeFailureSentence(error));
          if (error instanceof FfmpegExitError) {
            throw new JobFailedError(`Segment ${segment.index + 1} of ${count} failed: ${explainFailure(segmentLog, error.exitCode, plan.source.file.name)}`);
          }
          throw error;
        }
      }),
    );
  } catch (error) {
    // Promise.all rejects with the first error; a sibling's AbortError is not the cause.
    throw context.signal.aborted ? new DOMException('The job was canceled.', 'AbortError') : error;
  } finally {
    context.signal.removeEventListener('abort', stopSiblings);
  }
  throwIfAborted(context.signal);

  const outputFile = `output.${preset.extension}`;
  const list = segments
    .map((s) => `file '/in/${segmentName(s.index)}'${s.index < count - 1 ? `\nduration ${(s.frames / frameRate).toFixed(6)}` : ''}`)
    .join('\n');
  const joinArgs = [
    '-f', 'concat', '-safe', '0', '-i', '/work/segments.txt',
    '-i', `/in/${input.name}`,
    '-map', '0:v:0', ...(parts.audio.length ? ['-map', '1:a:0'] : []),
    '-c:v', 'copy', ...parts.audio,
    ...parts.mux,
    `/out/${outputFile}`,
  ];
  const joined = await pool.run(
    withScratch(
      {
        inputs: [input, ...blobs.map((data, i) => ({ name: segmentName(i), data }))],
        textFiles: [{ name: 'segments.txt', text: `${list}\n` }],
        args: joinArgs,
        outputs: [outputFile],
      },
      plan,
    ),
    (lines) => {
      context.onLog(lines.map((line) => `[join] ${line}`));
      lastOutTime(lines, (seconds) => reportProgress((1 - SEGMENTS_SHARE) * progressOf(seconds, duration)));
    },
    context.signal,
  );
  job.log.push(`[ffbatch] ${count} segments joined.`);
  return joined.outputs[0] ?? new Blob([]);
}
