/**
 * What the parts of one encode share: the runner's dependencies, the plan of one job, and
 * the checks every output passes before it is stored (both routes, whole or split).
 */
import type { Edits } from '../presets/edits';
import type { OutputWriteError, WorkerPool } from '../pool/worker-pool';
import type { Preset } from '../presets/presets';
import { describeColour, describeSource, describeVideoTiming, type SourceInfo } from '../presets/source-info';
import type { OutputStore } from '../storage/output-store';
import type { OutputRecord } from '../storage/records';
import type { StorageBudget } from '../storage/storage-budget';
import type { MountedInput, RunRequest, WebCodecsSupport } from '../../workers/protocol';
import type { EngineMode } from './engine-router';
import { bothChecks, checkEnd, checkFrames, checkPromise, frameBounds, tailStartSec, UNCHECKED, type Verification } from './verify-output';
import { parseOutTime } from './ffmpeg-log';
import type { Job } from './job';
import type { RunContext } from './scheduler';
import type { Gate } from './gate';
import type { Hooks } from './hooks';
import type { SplitPolicy } from './segment-plan';
import type { Source } from './source';
import type { SegmentKeeper } from '../storage/segment-keeper';

/** Where workers write a job's outputs before they are stored (OPFS); see ScratchSpace. */
export interface Scratch {
  /** False where storage would keep a mere reference to a scratch File (Chromium off the record). */
  readonly storeCopiesFiles: boolean;
  folderForRun(jobId: string): string[];
  removeJob(jobId: string): Promise<void>;
}

export interface EncodeRunnerDeps {
  pool: Pick<WorkerPool, 'run'> & Partial<Pick<WorkerPool, 'webcodecsProbe' | 'webcodecsEncode' | 'scoreQuality' | 'use'>>;
  /** Probes every output before it is stored (verification); absent: outputs go unchecked. */
  probePool?: Pick<WorkerPool, 'probe'> & Partial<Pick<WorkerPool, 'probeTail'>>;
  /** The Engine select: Auto (WebCodecs where the router allows) or ffmpeg.wasm only. Default ffmpeg. */
  engineMode?: () => EngineMode;
  /** The page's test and benchmark knobs, one object shared by reference; absent: none. */
  hooks?: Hooks;
  /** How many WebCodecs encodes run at once (one keeps the codec threads on every core of a small machine). */
  webcodecsGate?: Gate;
  store: Pick<OutputStore, 'put'>;
  /** Null where the browser has no OPFS: outputs then come back from wasm memory. */
  scratch: Scratch | null;
  /** Null where the browser gives no storage estimate. */
  budget: (Pick<StorageBudget, 'reserve'> & Partial<Pick<StorageBudget, 'inMemoryBytes'>>) | null;
  sourceOf(id: string): Source | undefined;
  /** Told of each stored output, with the Blob read back from storage. */
  onStored(job: Job, record: OutputRecord, blob: Blob): void;
  splitPolicy?: SplitPolicy;
  /**
   * Keeps a split job's finished segments on disk for a resume after a reload (issue 11);
   * used only with OPFS scratch. Absent: segments live in the tab's scratch and die with it.
   */
  segmentKeeper?: Pick<SegmentKeeper, 'claim' | 'load' | 'begin' | 'folderForSegment' | 'finished' | 'file' | 'remove'>;
}

/** What one encode needs, whole or split. */
export interface EncodePlan {
  job: Job;
  source: Source;
  /** The source as the job's edits make it (editedSourceInfo): what presets size, progress counts and checks expect. */
  info: SourceInfo;
  /** The job's edits ({} for none). */
  edits: Edits;
  /** Files the worker mounts beside the input (the burn-in font). */
  extraInputs: MountedInput[];
  preset: Preset;
  input: MountedInput;
  context: RunContext;
  /** A fresh OPFS folder for each worker run of this job, or undefined for wasm memory. */
  scratchFolder(): string[] | undefined;
  /** The browser's WebCodecs support for this source (cached per source); null when it could not be asked. */
  support(): Promise<WebCodecsSupport | null>;
}

/** The output as the `?truncateOutputs=1` test knob leaves it: its first 60 % only. */
export function damagedByKnob(deps: EncodeRunnerDeps, output: Blob): Blob {
  return deps.hooks?.truncateOutputs ? output.slice(0, Math.floor(output.size * 0.6), output.type) : output;
}

/**
 * Checks an output against what the preset and the source promise: its streams, codecs, size
 * and duration, that its packets reach the end its header claims, and that it has the frames
 * its source shows. Says what it looked at and the sentence of what failed; nothing looked at
 * where there is no probe pool.
 */
export async function checkOutput(
  deps: Pick<EncodeRunnerDeps, 'probePool'>,
  plan: { preset: Pick<Preset, 'id' | 'extension'>; info: SourceInfo; context: Pick<RunContext, 'signal' | 'onLog'> },
  output: Blob,
): Promise<Verification> {
  if (!deps.probePool) return UNCHECKED;
  const { signal } = plan.context;
  const input = { name: `output.${plan.preset.extension}`, data: output };
  const { report } = await deps.probePool.probe(input, signal);
  const probed = report ? describeSource(report) : null;
  const promised = checkPromise(plan.preset.id, plan.info, probed, report ? describeColour(report) : null, output.size);
  if (promised.problem !== null || !probed || !report) return promised;
  const timing = describeVideoTiming(report);
  const indexed = timing?.frames ?? null;
  // Where the index counts no frames (WebM, FLV), the whole output is read: packets counted and end found in one pass.
  const count = timing !== null && indexed === null && frameBounds(plan.preset.id, plan.info) !== null;
  if (!deps.probePool.probeTail || (probed.durationSec === null && !count)) return bothChecks(promised, checkFrames(plan.preset.id, plan.info, indexed));
  const from = count || probed.durationSec === null ? 0 : tailStartSec(probed.durationSec);
  const { endSec, packets, log } = await deps.probePool.probeTail(input, from, signal);
  const end = checkEnd(probed.durationSec, endSec);
  // What ffprobe said while reading the end (a read error, a damaged packet) explains a failed check.
  if (end.problem !== null && log.length > 0) plan.context.onLog(log.slice(-10).map((line) => `[ffprobe] ${line}`));
  if (end.problem !== null) return bothChecks(promised, end);
  const frames = count && timing ? (packets?.[timing.index] ?? null) : indexed;
  return bothChecks(bothChecks(promised, end), checkFrames(plan.preset.id, plan.info, frames));
}

/** Calls `onTime` with the last `time=` of a batch of log lines. */
export function lastOutTime(lines: readonly string[], onTime: (seconds: number, line: string) => void): void {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    const seconds = parseOutTime(line);
    if (seconds !== null) {
      onTime(seconds, line);
      return;
    }
  }
}

export function withScratch(request: RunRequest, plan: EncodePlan): RunRequest {
  const scratchFolder = plan.scratchFolder();
  return scratchFolder ? { ...request, scratchFolder } : request;
}

/** The sentence for an output that could not be written to disk (quota, or another OPFS failure). */
export function writeFailureSentence(error: OutputWriteError): string {
  return error.failure.kind === 'quota'
    ? "The browser's storage for this page ran out while the output was being written. Delete some stored outputs or free space on the disk, then try again."
    : `The output could not be written to the browser's storage: ${error.failure.message}`;
}

/** Awaits `waiting` with the job saying what it waits for (issue 15), and the watchdog paused. */
export async function waitFor<T>(context: Pick<RunContext, 'whileWaiting' | 'update'>, what: string, waiting: Promise<T>): Promise<T> {
  context.update({ waitingFor: what });
  try {
    return await context.whileWaiting(waiting);
  } finally {
    context.update({ waitingFor: null });
  }
}
