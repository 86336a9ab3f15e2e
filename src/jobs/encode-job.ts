/**
 * Runs one (source × preset) job: reserves storage, encodes on WebCodecs (webcodecs-route.ts)
 * or ffmpeg.wasm, whole or split (encode-split.ts), checks the output and stores it.
 */
import { applyEditsToArgs, editableFacts, editedSourceInfo, editProblems, isEmptyEdits, summarizeEdits } from '../presets/edits';
import { subtitleFont } from './subtitle-font';
import { FfmpegExitError, OutputWriteError, type WorkerPool } from '../pool/worker-pool';
import { toneMapLogLine, toneMapsHdr } from '../presets/hdr';
import { presetById, PresetMismatchError, type Preset } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import { ffmpegWasmRefusal, specSizeBudget, type SpecTune } from '../presets/ffmpeg-compile';
import { retryVideoBitrate } from '../presets/size-budget';
import { StorageFullError } from '../storage/output-store';
import type { OutputRecord } from '../storage/records';
import { StorageBudgetError, type StorageBudget } from '../storage/storage-budget';
import type { WebCodecsSupport } from '../../workers/protocol';
import { isAbortError, throwIfAborted } from '../shared/abort';
import { JobFailedError } from './errors';
import { explainFailure, parseSpeed, progressOf } from './ffmpeg-log';
import { looksOutOfMemory, outOfMemorySentence } from './memory-failure';
import type { JobRunner } from './scheduler';
import { workerInputName, type Source } from './source';
import { decideRun } from './run-plan';
import { checkOutput, damagedByKnob, lastOutTime, withScratch, writeFailureSentence, type EncodePlan, type EncodeRunnerDeps, type Scratch } from './encode-plan';

export type { EncodeRunnerDeps, Scratch } from './encode-plan';
import { encodeSplit } from './encode-split';
import { encodeWithWebCodecs, probeSupport } from './webcodecs-route';
import { runSmartCut } from './smart-cut';
import { scoreOutput } from './score-output';
import { passed, verifiedLine, type Verification } from './verify-output';

const LOG_TAIL_LINES = 40;

/** Runs one (source × preset) job: build the arguments, encode in workers, store the output. */
export function createEncodeRunner(deps: EncodeRunnerDeps): JobRunner {
  // What the browser's WebCodecs can do with each source: asked once per source, for every WebCodecs preset.
  const supportBySource = new Map<string, Promise<WebCodecsSupport | null>>();
  const supportOf = (source: Source, info: SourceInfo): Promise<WebCodecsSupport | null> => {
    // Per source and planned picture: an edited job asks for its own size.
    const key = `${source.id}|${info.video?.displayWidth ?? 0}x${info.video?.displayHeight ?? 0}`;
    let support = supportBySource.get(key);
    if (!support) {
      // Not tied to one job's cancel: other jobs of the same source wait on it too (it reads only headers).
      support = probeSupport(deps, source, info);
      supportBySource.set(key, support);
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
    const edits = job.edits ?? {};
    // An edit that no longer fits the file (a trim past its end) fails here, with its sentence.
    const problems = editProblems(edits, editableFacts(source.info));
    if (problems.length > 0) throw new JobFailedError(problems.join(' '));
    const info = editedSourceInfo(source.info, edits);
    const burnsSubtitles = edits.subtitles?.mode === 'burn';
    const plan: EncodePlan = {
      job,
      source,
      info,
      edits,
      extraInputs: burnsSubtitles ? [await subtitleFont()] : [],
      preset,
      input: { name: workerInputName(source.file.name), data: source.file },
      context,
      scratchFolder: () => scratch?.folderForRun(job.id),
      support: () => supportOf(source, info),
    };
    if (!isEmptyEdits(edits)) context.onLog([`[ffbatch] Edits: ${summarizeEdits(edits)}.`]);
    let release = (): void => {};
    try {
      if (budget) release = await context.whileWaiting(reserveStorage(budget, preset, info, source.file.size, context.signal));
      try {
        return await encodeAndStore(deps, plan);
      } catch (error) {
        throw await asMemoryFailure(deps, error, job.log);
      }
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

/**
 * A job that ran out of memory (in a private window: out of room, as outputs live in memory
 * there) fails with a sentence that says so; other errors pass through as they are.
 */
async function asMemoryFailure(deps: EncodeRunnerDeps, error: unknown, log: readonly string[]): Promise<unknown> {
  if (isAbortError(error)) return error;
  const inMemory = (await deps.budget?.inMemoryBytes?.().catch(() => null)) ?? null;
  if (!looksOutOfMemory(error, log, inMemory !== null)) return error;
  return new JobFailedError(outOfMemorySentence(inMemory));
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


async function encodeAndStore(deps: EncodeRunnerDeps, plan: EncodePlan): Promise<{ outputSize: number }> {
  const { job, source, info, preset, context } = plan;
  const startedAt = Date.now();
  let output: Blob;
  // The fast route first where the router allows it; null means ffmpeg.wasm (the reason is on the job).
  const fast = await encodeWithWebCodecs(deps, plan);
  const engine = fast ? 'webcodecs' : 'ffmpeg';
  try {
    if (fast) output = fast.output;
    else {
      const refusal = preset.spec ? ffmpegWasmRefusal(preset.spec) : null;
      if (refusal) throw new JobFailedError(`${refusal}.`);
      if (toneMapsHdr(preset.spec, info)) context.onLog([toneMapLogLine(info)]);
      // Whole or split, and what a resume reuses: decided once, here (run-plan.ts).
      const run = await decideRun(deps, plan);
      context.update({ slots: run.kind === 'split' ? run.count : 1 });
      output = run.kind === 'split' ? await encodeSplit(deps, plan, run) : ((await remuxInOnePass(deps, plan)) ?? (await encodeWhole(deps.pool, plan)));
      output = await fitRetry(deps, plan, output);
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
  const verified = passed(fast ? fast.verification : await verify(deps, plan, output));
  if (verified) context.update({ verified: true });
  throwIfAborted(context.signal);
  const quality = await scoreOutput(deps, plan, output);
  if (quality) context.update({ quality });
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
    ...(quality ? { quality } : {}),
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

/** Checks an ffmpeg.wasm output, saying what it looked at; a failed check fails the job with its sentence. */
async function verify(deps: EncodeRunnerDeps, plan: EncodePlan, output: Blob): Promise<Verification> {
  let verification: Verification;
  try {
    verification = await checkOutput(deps, plan, output);
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new JobFailedError(`The output could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (verification.problem !== null) throw new JobFailedError(verification.problem);
  if (passed(verification)) plan.context.onLog([verifiedLine(verification.checked)]);
  return verification;
}

/**
 * "Streams copied" through Mediabunny in a pool worker (src/jobs/smart-cut.ts): the same MP4 as
 * ffmpeg's `-c copy -movflags +faststart` in one pass (the moov reserved at the front instead of
 * a second rewrite of the whole file). Null where it does not apply or Mediabunny cannot read the
 * source: ffmpeg remuxes then.
 */
async function remuxInOnePass(deps: EncodeRunnerDeps, plan: EncodePlan): Promise<Blob | null> {
  const { preset, info, input, context } = plan;
  const scratchFolder = plan.scratchFolder();
  if (preset.id !== 'mp4-remux') return null;
  const { edits } = plan;
  // Streams copied keep every picture as it is: nothing can be drawn on them.
  if (edits.crop || edits.rotate || edits.flip || edits.subtitles?.mode === 'burn') {
    throw new JobFailedError('MP4, streams copied keeps the picture as it is: crop, rotate, flip and burned subtitles need a preset that encodes, such as MP4 H.264.');
  }
  // Mediabunny's remux takes the first sound track and no subtitles; ffmpeg maps the others.
  if (!deps.pool.use || !scratchFolder || edits.audioTrack || edits.subtitles?.mode === 'keep') return null;
  // The preset's own refusals first (a codec an MP4 cannot take), with its sentence.
  preset.args(info, { input: `/in/${input.name}`, output: '/out/output.mp4' });
  const remuxed = await runSmartCut(deps.pool as Pick<WorkerPool, 'use'>, {
    input,
    trim: edits.trim ?? null,
    output: 'output.mp4',
    scratchFolder,
    onProgress: (seconds) => context.onProgress({ progress: progressOf(seconds, info.durationSec), speed: null }),
    onLog: (lines) => context.onLog(lines),
    signal: context.signal,
  });
  context.onLog([remuxed ? `[ffbatch] ${edits.trim ? 'Smart cut' : 'Remuxed'} in one pass (Mediabunny; moov reserved at the front).` : '[ffbatch] Mediabunny cannot read this source: ffmpeg remuxes it.']);
  if (remuxed?.note) {
    context.onLog([`[ffbatch] ${remuxed.note}`]);
    context.update({ engineNote: remuxed.note });
  }
  return remuxed?.output ?? null;
}


/**
 * A size target's promise on ffmpeg.wasm: a file still over its bytes (the rate cap's buffer
 * spent, the container's index larger than planned) is encoded again, whole, once, at the
 * rate the overshoot calls for. Verification then checks the size like every promise.
 */
async function fitRetry(deps: EncodeRunnerDeps, plan: EncodePlan, output: Blob): Promise<Blob> {
  const spec = plan.preset.spec;
  const budget = spec ? specSizeBudget(spec, plan.info) : null;
  if (!spec || !budget?.ok || typeof spec.video !== 'object' || spec.video?.rate?.kind !== 'size') return output;
  const maxBytes = spec.video.rate.bytes;
  if (output.size <= maxBytes) return output;
  const videoBitrate = retryVideoBitrate({ videoBitrate: budget.videoBitrate, gotBytes: output.size, maxBytes, audioBytes: budget.audioBytes });
  plan.context.onLog([
    `[ffbatch] ${output.size} bytes is over the ${maxBytes} to fit in: encoding once more at ${Math.round(videoBitrate / 1000)} kb/s (was ${Math.round(budget.videoBitrate / 1000)}).`,
  ]);
  plan.context.onProgress({ progress: 0, speed: null });
  return encodeWhole(deps.pool, plan, { videoBitrate });
}

async function encodeWhole(pool: Pick<WorkerPool, 'run'>, plan: EncodePlan, tune?: SpecTune): Promise<Blob> {
  const { preset, info, input, context } = plan;
  const outputFile = `output.${preset.extension}`;
  const inputPath = `/in/${input.name}`;
  const presetArgs = preset.args(info, { input: inputPath, output: `/out/${outputFile}` }, tune);
  const args = applyEditsToArgs(presetArgs, plan.edits, { inputPath, container: preset.container, fontsDir: '/in' });
  const result = await pool.run(
    withScratch({ inputs: [input, ...plan.extraInputs], args, outputs: [outputFile] }, plan),
    (lines) => {
      context.onLog(lines);
      lastOutTime(lines, (seconds, line) => context.onProgress({ progress: progressOf(seconds, info.durationSec), speed: parseSpeed(line) }));
    },
    context.signal,
  );
  return result.outputs[0] ?? new Blob([]);
}

