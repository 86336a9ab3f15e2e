import { FfmpegExitError, type WorkerPool } from '../pool/worker-pool';
import { presetById, PresetMismatchError, type Preset, type PresetParts } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import type { OutputRecord, OutputStore } from '../storage/output-store';
import type { MountedInput } from '../../workers/protocol';
import { isAbortError, JobFailedError, throwIfAborted } from './errors';
import { explainFailure, parseOutTime, parseSpeed, progressOf } from './ffmpeg-log';
import type { Job } from './job';
import type { JobRunner, RunContext } from './scheduler';
import { DEFAULT_SPLIT_POLICY, planSegments, segmentCount, type Segment, type SplitPolicy } from './segment-plan';
import { workerInputName, type Source } from './source';

const LOG_TAIL_LINES = 40;
/** Share of a split job's progress taken by the video segments; the rest is audio + join. */
const SEGMENTS_SHARE = 0.9;

export interface EncodeRunnerDeps {
  pool: Pick<WorkerPool, 'run'>;
  store: Pick<OutputStore, 'put'>;
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
}

/** Runs one (source × preset) job: build the arguments, encode in workers, store the output. */
export function createEncodeRunner(deps: EncodeRunnerDeps): JobRunner {
  const policy = deps.splitPolicy ?? DEFAULT_SPLIT_POLICY;
  return async (job, context) => {
    const source = deps.sourceOf(job.sourceId);
    if (!source) throw new JobFailedError('The source file is no longer in the list.');
    await source.probed;
    throwIfAborted(context.signal);
    if (source.problem || !source.info) throw new JobFailedError(source.problem ?? 'The file could not be read.');

    const preset = presetById(job.presetId);
    const plan: EncodePlan = {
      job,
      source,
      info: source.info,
      preset,
      input: { name: workerInputName(source.file.name), data: source.file },
      context,
    };
    const startedAt = Date.now();
    let bytes: Uint8Array;
    try {
      const parts = preset.parts?.(source.info) ?? null;
      const segments = parts ? segmentCount(source.info.durationSec, context.slots, policy) : 1;
      bytes = parts && segments > 1 ? await encodeSplit(deps.pool, plan, parts, segments) : await encodeWhole(deps.pool, plan);
    } catch (error) {
      if (error instanceof PresetMismatchError) throw new JobFailedError(error.message);
      if (error instanceof FfmpegExitError) throw new JobFailedError(explainFailure(job.log, error.exitCode, source.file.name));
      throw error;
    }
    if (bytes.byteLength === 0) {
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
      outputSize: bytes.byteLength,
      mimeType: preset.mimeType,
      startedAt,
      endedAt: Date.now(),
      exitCode: 0,
      logTail: job.log.slice(-LOG_TAIL_LINES),
    };
    const stored = await deps.store.put(record, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: preset.mimeType }));
    deps.onStored(job, record, stored);
    return { outputSize: bytes.byteLength };
  };
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

async function encodeWhole(pool: Pick<WorkerPool, 'run'>, plan: EncodePlan): Promise<Uint8Array> {
  const { preset, info, input, context } = plan;
  const outputFile = `output.${preset.extension}`;
  const args = preset.args(info, { input: `/in/${input.name}`, output: `/out/${outputFile}` });
  const result = await pool.run(
    { inputs: [input], args, outputs: [outputFile] },
    (lines) => {
      context.onLog(lines);
      lastOutTime(lines, (seconds, line) => context.onProgress({ progress: progressOf(seconds, info.durationSec), speed: parseSpeed(line) }));
    },
    context.signal,
  );
  return result.outputs[0] ?? new Uint8Array();
}

/**
 * A long source cut in time segments, each encoded (video only) by its own worker at
 * once; then one worker joins them by stream copy (concat demuxer) and encodes the
 * audio whole, so the sound has no seams.
 */
async function encodeSplit(pool: Pick<WorkerPool, 'run'>, plan: EncodePlan, parts: PresetParts, count: number): Promise<Uint8Array> {
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
            { inputs: [input], args, outputs: [name] },
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
          const bytes = result.outputs[0];
          if (!bytes || bytes.byteLength === 0 || lastFrameCount(segmentLog) === 0) {
            throw new JobFailedError(
              `Segment ${segment.index + 1} of ${count} (from ${Math.round(segment.start)} s) has no frames: the file ends before the ${Math.round(duration)} s it claims to last, so it was probably cut short.`,
            );
          }
          done[segment.index] = segmentLength(segment);
          return new Blob([bytes as Uint8Array<ArrayBuffer>]);
        } catch (error) {
          siblings.abort();
          if (isAbortError(error) || error instanceof JobFailedError) throw error;
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
    {
      inputs: [input, ...blobs.map((data, i) => ({ name: segmentName(i), data }))],
      textFiles: [{ name: 'segments.txt', text: `${list}\n` }],
      args: joinArgs,
      outputs: [outputFile],
    },
    (lines) => {
      context.onLog(lines.map((line) => `[join] ${line}`));
      lastOutTime(lines, (seconds) => reportProgress((1 - SEGMENTS_SHARE) * progressOf(seconds, duration)));
    },
    context.signal,
  );
  job.log.push(`[ffbatch] ${count} segments joined.`);
  return joined.outputs[0] ?? new Uint8Array();
}
