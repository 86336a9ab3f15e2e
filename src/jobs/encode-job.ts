import { FfmpegExitError, OutputWriteError, WebCodecsRouteError, type WorkerPool } from '../pool/worker-pool';
import { presetById, PresetMismatchError, type Preset, type PresetParts } from '../presets/presets';
import { describeSource, type SourceInfo } from '../presets/source-info';
import { StorageFullError, type OutputRecord, type OutputStore } from '../storage/output-store';
import { StorageBudgetError, type StorageBudget } from '../storage/storage-budget';
import type { MountedInput, RunRequest, WebCodecsFault, WebCodecsSupport } from '../../workers/protocol';
import { chooseEngine, type EngineMode } from './engine-router';
import { tailStartSec, verifyEnd, verifyOutput } from './verify-output';
import { isWebCodecsPreset, planWebCodecsTarget, WEBCODECS_PRESETS, type WebCodecsPresetId } from './webcodecs-plan';
import { isAbortError, JobFailedError, throwIfAborted } from './errors';
import { explainFailure, parseOutTime, parseSpeed, progressOf } from './ffmpeg-log';
import type { Job } from './job';
import type { JobRunner, RunContext } from './scheduler';
import type { Gate } from './gate';
import { DEFAULT_SPLIT_POLICY, planSegments, segmentCount, type Segment, type SplitPolicy } from './segment-plan';
import { workerInputName, type Source } from './source';
import { keyOf } from './resume-match';
import { decideReuse, reuseSentence, segmentCountForResume, segmentPlanKey, type KeptSegment, type KeptSegments } from './segment-reuse';
import type { SegmentKeeper } from '../storage/segment-keeper';

const LOG_TAIL_LINES = 40;
/**
 * Silence after which a WebCodecs encode counts as hung. Progress comes with every frame
 * (many a second); the first waits for the container to open and the codecs to configure.
 */
const WEBCODECS_STALL_MS = 30_000;
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
  pool: Pick<WorkerPool, 'run'> & Partial<Pick<WorkerPool, 'webcodecsProbe' | 'webcodecsEncode'>>;
  /** Probes every output before it is stored (verification); absent: outputs go unchecked. */
  probePool?: Pick<WorkerPool, 'probe'> & Partial<Pick<WorkerPool, 'probeTail'>>;
  /** The Engine select: Auto (WebCodecs where the router allows) or ffmpeg.wasm only. Default ffmpeg. */
  engineMode?: () => EngineMode;
  /** Test knob `?webcodecsFail=throw|stall`: the WebCodecs encode throws, or goes silent, after its first progress. */
  webcodecsFault?: WebCodecsFault;
  /** A WebCodecs encode with no progress for this long is stopped and the job goes to ffmpeg.wasm. */
  webcodecsStallMs?: number;
  /** Test knob `?truncateOutputs=1`: every output loses its last 40 % before it is checked (verification must catch it). */
  truncateOutputs?: boolean;
  /** How many WebCodecs encodes run at once (one keeps the codec threads on every core of a small machine). */
  webcodecsGate?: Gate;
  store: Pick<OutputStore, 'put'>;
  /** Null where the browser has no OPFS: outputs then come back from wasm memory. */
  scratch: Scratch | null;
  /** Null where the browser gives no storage estimate. */
  budget: Pick<StorageBudget, 'reserve'> | null;
  sourceOf(id: string): Source | undefined;
  /** Told of each stored output, with the Blob read back from storage. */
  onStored(job: Job, record: OutputRecord, blob: Blob): void;
  splitPolicy?: SplitPolicy;
  /**
   * Keeps a split job's finished segments on disk for a resume after a reload (issue 11);
   * used only with OPFS scratch. Absent: segments live in the tab's scratch and die with it.
   */
  segmentKeeper?: Pick<SegmentKeeper, 'claim' | 'load' | 'begin' | 'folderForSegment' | 'finished' | 'file' | 'remove'>;
  /** Test knob `?holdSegment=N`: segment N (from 1) of a split job waits before it starts, until the job is canceled or the page goes. */
  holdSegment?: number;
}

/** The keeper of a job this tab runs, and its kept segments as found at its start, with each one's size on disk now. */
interface Keeping {
  keeper: NonNullable<EncodeRunnerDeps['segmentKeeper']>;
  kept: { kept: KeptSegments; sizes: Map<KeptSegment, number | null> } | null;
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
  /** The browser's WebCodecs support for this source (cached per source); null when it could not be asked. */
  support(): Promise<WebCodecsSupport | null>;
}

/** Runs one (source × preset) job: build the arguments, encode in workers, store the output. */
export function createEncodeRunner(deps: EncodeRunnerDeps): JobRunner {
  // What the browser's WebCodecs can do with each source: asked once per source, for every WebCodecs preset.
  const supportBySource = new Map<string, Promise<WebCodecsSupport | null>>();
  const supportOf = (source: Source, info: SourceInfo): Promise<WebCodecsSupport | null> => {
    let support = supportBySource.get(source.id);
    if (!support) {
      // Not tied to one job's cancel: other jobs of the same source wait on it too (it reads only headers).
      support = probeSupport(deps, source, info);
      supportBySource.set(source.id, support);
    }
    return support;
  };
  return async (job, context) => {
    const source = deps.sourceOf(job.sourceId);
    if (!source) throw new JobFailedError('The source file is no longer in the list.');
    await source.probed;
    throwIfAborted(context.signal);
    if (source.problem || !source.info) throw new JobFailedError(source.problem ?? 'The file could not be read.');

    const preset = presetById(job.presetId);
    const { scratch, budget } = deps;
    const info = source.info;
    const plan: EncodePlan = {
      job,
      source,
      info,
      preset,
      input: { name: workerInputName(source.file.name), data: source.file },
      context,
      scratchFolder: () => scratch?.folderForRun(job.id),
      support: () => supportOf(source, info),
    };
    let release = (): void => {};
    try {
      if (budget) release = await context.whileWaiting(reserveStorage(budget, preset, info, source.file.size, context.signal));
      return await encodeAndStore(deps, plan);
    } finally {
      release();
      // The output is in IndexedDB now (or the job failed or was canceled): its scratch files
      // go, without holding up the job's end (a canceled worker may hold its handles a moment).
      void scratch?.removeJob(job.id).catch(() => {});
      // Kept segments serve only a resume after a reload; once the job ends here they go too.
      void deps.segmentKeeper?.remove(job.id).catch(() => {});
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
  // The fast route first where the router allows it; null means ffmpeg.wasm (the reason is on the job).
  const fast = await encodeWithWebCodecs(deps, plan);
  const engine = fast ? 'webcodecs' : 'ffmpeg';
  try {
    if (fast) output = fast;
    else {
      const parts = preset.parts?.(info) ?? null;
      // Segments are kept only by the tab that runs the job (see SegmentKeeper.claim).
      const keeper = parts && (await keeperOf(deps)?.claim(job.id)) ? keeperOf(deps) : undefined;
      const kept = keeper ? await keeper.load(job.id) : null;
      const computed = parts ? segmentCount(info.durationSec, context.slots, deps.splitPolicy ?? DEFAULT_SPLIT_POLICY) : 1;
      const segments = parts ? segmentCountForResume(kept?.kept ?? null, keyOf(source.file), preset.id, computed) : 1;
      context.update({ slots: segments });
      output = parts && segments > 1 ? await encodeSplit(deps, plan, parts, segments, keeper ? { keeper, kept } : null) : await encodeWhole(deps.pool, plan);
      output = damagedByKnob(deps, output);
    }
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
  // The WebCodecs output was checked already; an ffmpeg.wasm output that fails its check fails the job.
  const verified = fast ? deps.probePool !== undefined : await verify(deps, plan, output);
  if (verified) context.update({ verified: true });
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
    engine,
    verified,
  };
  let stored: Blob;
  const storingAt = performance.now();
  context.onLog([`[ffbatch] Encoded in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; storing ${(output.size / 1e6).toFixed(1)} MB.`]);
  try {
    stored = await deps.store.put(record, await storable(output, preset.mimeType, deps.scratch));
    context.onLog([`[ffbatch] Stored in ${((performance.now() - storingAt) / 1000).toFixed(1)} s.`]);
  } catch (error) {
    if (error instanceof StorageFullError) throw new JobFailedError(error.message);
    throw error;
  }
  deps.onStored(job, record, stored);
  return { outputSize: output.size };
}

async function probeSupport(deps: EncodeRunnerDeps, source: Source, info: SourceInfo): Promise<WebCodecsSupport | null> {
  if (!deps.pool.webcodecsProbe || !info.video) return null;
  const video = info.video;
  const targets = (Object.keys(WEBCODECS_PRESETS) as WebCodecsPresetId[]).map((id) => planWebCodecsTarget(id, { ...info, video }));
  try {
    return await deps.pool.webcodecsProbe(source.file, targets);
  } catch {
    return null;
  }
}

/**
 * The WebCodecs route: routes the job, encodes the whole file through the browser's codecs
 * into OPFS scratch and checks the output. Null when the job goes to ffmpeg.wasm instead
 * (the router's reason, or why the route failed, is on the job and in its log).
 */
async function encodeWithWebCodecs(deps: EncodeRunnerDeps, plan: EncodePlan): Promise<Blob | null> {
  const { info, preset, context, source } = plan;
  const mode = deps.engineMode?.() ?? 'ffmpeg';
  const toFfmpeg = (note: string | null): null => {
    context.update({ engine: 'ffmpeg', engineNote: note });
    return null;
  };
  const encode = deps.pool.webcodecsEncode?.bind(deps.pool);
  const video = info.video;
  // The router's answers that need no look at the browser's codecs come first.
  const needsSupport = mode === 'auto' && isWebCodecsPreset(preset.id) && video !== null && encode !== undefined;
  const support = needsSupport ? await plan.support() : null;
  throwIfAborted(context.signal);
  const decision = encode || mode === 'ffmpeg' ? chooseEngine(preset.id, info, support, mode) : { engine: 'ffmpeg' as const, reason: 'the fast route is not available here' };
  if (decision.engine === 'ffmpeg' || !isWebCodecsPreset(preset.id) || !video || !encode) {
    const reason = decision.reason ?? 'the fast route is not available here';
    context.onLog([`[ffbatch] Engine: ffmpeg.wasm (${reason}).`]);
    return toFfmpeg(reason);
  }
  const folder = plan.scratchFolder();
  if (!folder) {
    const reason = 'no OPFS scratch for the fast route';
    context.onLog([`[ffbatch] Engine: ffmpeg.wasm (${reason}).`]);
    return toFfmpeg(reason);
  }

  const target = planWebCodecsTarget(preset.id, { ...info, video });
  context.update({ engine: 'webcodecs', engineNote: null });
  const steering = target.targetQp !== undefined ? `, steered to H.264 QP ${target.targetQp}` : '';
  context.onLog([`[ffbatch] Engine: WebCodecs, ${target.width}×${target.height} starting at ${Math.round(target.videoBitrate / 1000)} kb/s${steering}.`]);
  if (deps.webcodecsGate?.busy) context.onLog(['[ffbatch] Waiting for a WebCodecs encode under way to finish: one at a time keeps every core busy here.']);
  const release = deps.webcodecsGate ? await context.whileWaiting(deps.webcodecsGate.acquire(context.signal)) : () => {};
  const startedAt = performance.now();
  // The browser's codecs report every frame; silence this long means a hung decoder or encoder.
  const stallMs = deps.webcodecsStallMs ?? WEBCODECS_STALL_MS;
  const stall = new AbortController();
  let watchdog = setTimeout(() => stall.abort(), stallMs);
  const encodeSignal = AbortSignal.any([context.signal, stall.signal]);
  let reason: string;
  try {
    const result = await encode(
      { input: source.file, target, output: `output.${preset.extension}`, scratchFolder: folder, ...(deps.webcodecsFault ? { fault: deps.webcodecsFault } : {}) },
      (seconds) => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => stall.abort(), stallMs);
        const elapsed = (performance.now() - startedAt) / 1000;
        context.onProgress({ progress: progressOf(seconds, info.durationSec), speed: elapsed > 0.5 ? seconds / elapsed : null });
      },
      (lines) => context.onLog(lines.map((line) => `[webcodecs] ${line}`)),
      encodeSignal,
    );
    clearTimeout(watchdog);
    throwIfAborted(context.signal);
    context.onLog([`[ffbatch] WebCodecs made ${result.videoFrames} frames, ${result.durationSec.toFixed(2)} s, in ${((performance.now() - startedAt) / 1000).toFixed(1)} s.`]);
    const output = damagedByKnob(deps, result.output);
    const problem = await checkOutput(deps, plan, output);
    if (problem === null) {
      if (deps.probePool) context.onLog(['[ffbatch] Output verified: streams, codecs, size and duration as the preset promises.']);
      return output;
    }
    reason = problem;
  } catch (error) {
    if (isAbortError(error) && context.signal.aborted) throw error;
    throwIfAborted(context.signal);
    if (stall.signal.aborted) reason = `the browser's codecs made no progress for ${Math.round(stallMs / 1000)} s`;
    else reason = error instanceof WebCodecsRouteError || error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(watchdog);
    release();
  }
  context.onLog([`[ffbatch] WebCodecs route failed: ${reason}; encoding with ffmpeg.wasm instead.`]);
  context.onProgress({ progress: 0, speed: null });
  return toFfmpeg(`WebCodecs failed: ${reason}`);
}

/** The output as the `?truncateOutputs=1` test knob leaves it: its first 60 % only. */
function damagedByKnob(deps: EncodeRunnerDeps, output: Blob): Blob {
  return deps.truncateOutputs ? output.slice(0, Math.floor(output.size * 0.6), output.type) : output;
}

/**
 * Null when the output holds what the preset promises and its packets reach the end its
 * header claims, else the sentence; null too when there is no probe pool.
 */
async function checkOutput(deps: EncodeRunnerDeps, plan: EncodePlan, output: Blob): Promise<string | null> {
  if (!deps.probePool) return null;
  const input = { name: `output.${plan.preset.extension}`, data: output };
  const { report } = await deps.probePool.probe(input, plan.context.signal);
  const probed = report ? describeSource(report) : null;
  const problem = verifyOutput(plan.preset.id, plan.info, probed);
  if (problem !== null || !probed || probed.durationSec === null || !deps.probePool.probeTail) return problem;
  const { endSec } = await deps.probePool.probeTail(input, tailStartSec(probed.durationSec), plan.context.signal);
  return verifyEnd(probed.durationSec, endSec);
}

/** Checks an ffmpeg.wasm output; a failed check fails the job with its sentence. False when unchecked. */
async function verify(deps: EncodeRunnerDeps, plan: EncodePlan, output: Blob): Promise<boolean> {
  if (!deps.probePool) return false;
  let problem: string | null;
  try {
    problem = await checkOutput(deps, plan, output);
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new JobFailedError(`The output could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problem !== null) throw new JobFailedError(problem);
  plan.context.onLog(['[ffbatch] Output verified: streams, codecs, size and duration as the preset promises.']);
  return true;
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

/** The segment keeper, where segments can be written to disk (OPFS scratch) at all. */
function keeperOf(deps: EncodeRunnerDeps): EncodeRunnerDeps['segmentKeeper'] {
  return deps.scratch ? deps.segmentKeeper : undefined;
}

/** Records a finished segment for a resume; a failure to record costs the resume only, never the job. */
async function keepFinished(keeper: NonNullable<EncodeRunnerDeps['segmentKeeper']>, jobId: string, segment: KeptSegment, count: number, context: RunContext): Promise<void> {
  const where = `Segment ${segment.index + 1} of ${count} finished`;
  try {
    const kept = await keeper.finished(jobId, segment);
    context.onLog([kept ? `[ffbatch] ${where}; kept on disk for a resume (${segment.bytes} bytes).` : `[ffbatch] ${where}; not on disk, so it cannot be kept for a resume.`]);
  } catch (error) {
    context.onLog([`[ffbatch] ${where}; it could not be kept for a resume: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** Resolves never; rejects with an AbortError when `signal` fires (the `?holdSegment` test knob). */
function heldUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const stop = (): void => reject(new DOMException('The held segment was stopped.', 'AbortError'));
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
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
async function encodeSplit(deps: EncodeRunnerDeps, plan: EncodePlan, parts: PresetParts, count: number, keeping: Keeping | null): Promise<Blob> {
  const { pool } = deps;
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

  // Segments finished before a reload are reused when they fit this very plan (issue 11).
  const keeper = keeping?.keeper;
  const kept = keeping?.kept ?? null;
  const wanted = {
    source: keyOf(plan.source.file),
    presetId: preset.id,
    count,
    plan: segmentPlanKey({ segments, frameRate, format: segmentFormat, fpsMode, filters: parts.filters, video: parts.video }),
  };
  const decision = decideReuse(kept?.kept ?? null, wanted, (segment) => kept?.sizes.get(segment) ?? null);
  const reused = new Map<number, Blob>();
  let outcome = decision;
  if (keeper) {
    const reuse = decision.kind === 'reuse' ? decision.reuse : [];
    await keeper.begin(job.id, wanted, reuse);
    for (const segment of reuse) {
      try {
        reused.set(segment.index, await keeper.file(segment));
      } catch {
        // Gone since it was measured: it is encoded again like any missing segment.
      }
    }
    if (decision.kind === 'reuse' && reused.size < decision.reuse.length) {
      const missing = segments.map((s) => s.index).filter((index) => !reused.has(index));
      outcome = reused.size === 0 ? { kind: 'encode-all', reason: 'their files are gone' } : { ...decision, reuse: decision.reuse.filter((s) => reused.has(s.index)), missing };
    }
  } else outcome = { kind: 'encode-all', reason: null };
  for (const index of reused.keys()) {
    const segment = segments[index];
    if (segment) done[index] = segmentLength(segment);
  }
  const sentence = reuseSentence(outcome, count);
  if (sentence) context.onLog([`[ffbatch] ${sentence}`]);
  if (reused.size > 0) reportProgress(0);

  // One failing segment stops its siblings at once.
  const siblings = new AbortController();
  const stopSiblings = (): void => siblings.abort();
  context.signal.addEventListener('abort', stopSiblings);
  let blobs: Blob[];
  try {
    blobs = await Promise.all(
      segments.map(async (segment) => {
        const kept = reused.get(segment.index);
        if (kept) return kept;
        const name = segmentName(segment.index);
        const tag = `[part ${segment.index + 1}/${count}]`;
        const segmentLog: string[] = [];
        if (deps.holdSegment === segment.index + 1) {
          context.onLog([`[ffbatch] Segment ${segment.index + 1} of ${count} is held by the ?holdSegment test knob.`]);
          await heldUntilAborted(siblings.signal);
        }
        // A folder of its own that outlives the tab where segments are kept; else the tab's scratch.
        const folder = keeper ? keeper.folderForSegment(job.id) : plan.scratchFolder();
        context.onLog([`[ffbatch] Encoding segment ${segment.index + 1} of ${count}.`]);
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
            { inputs: [input], args, outputs: [name], ...(folder ? { scratchFolder: folder } : {}) },
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
          if (keeper && folder) await keepFinished(keeper, job.id, { index: segment.index, folder, name, bytes: segmentFile.size }, count, context);
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
