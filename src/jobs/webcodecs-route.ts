/**
 * The WebCodecs route of a job: does what the router (engine-router.ts) decides; one encode through the browser's own
 * codecs into OPFS scratch with a stall watchdog, the output's check, and the fallback to
 * ffmpeg.wasm (once, with the reason on the job) when any of it fails.
 */
import { WebCodecsRouteError } from '../pool/worker-pool';
import { toneMapsHdr } from '../presets/hdr';
import type { SourceInfo } from '../presets/source-info';
import type { WebCodecsSupport } from '../../workers/protocol';
import { routeJob } from './engine-router';
import { PRESETS } from '../presets/presets';
import { FILL_AIM, retryVideoBitrate } from '../presets/size-budget';
import { webCodecsTargetFor, type WebCodecsPlan } from './webcodecs-plan';
import { isAbortError, throwIfAborted } from '../shared/abort';
import { progressOf } from './ffmpeg-log';
import type { Source } from './source';
import { checkOutput, damagedByKnob, waitFor, type EncodePlan, type EncodeRunnerDeps } from './encode-plan';
import { passed, verifiedLine, type Verification } from './verify-output';
import { atFixedRate, keepQualityPromise, promisesQuality, type QualityPromise } from './quality-promise';

/**
 * Silence after which a WebCodecs encode counts as hung. Progress comes with every frame
 * (many a second); the first waits for the container to open and the codecs to configure.
 */
const WEBCODECS_STALL_MS = 30_000;

/** Asks the worker what the browser can do with `source` for the targets of every built-in it can plan (or just `only`). */
export async function probeSupport(deps: EncodeRunnerDeps, source: Source, info: SourceInfo, only?: WebCodecsPlan): Promise<WebCodecsSupport | null> {
  if (!deps.pool.webcodecsProbe || !info.video) return null;
  const targets = only ? [only] : PRESETS.flatMap((preset) => webCodecsTargetFor(preset, info).target ?? []);
  try {
    return await deps.pool.webcodecsProbe(source.file, targets);
  } catch {
    return null;
  }
}

/** A fast route's output and what its check looked at. */
export interface FastOutput {
  output: Blob;
  verification: Verification;
}

/**
 * The WebCodecs route: asks the router (`routeJob`) once and does what it says: encodes the
 * whole file through the browser's codecs into OPFS scratch and checks the output. Null when
 * the job goes to ffmpeg.wasm instead (the router's reason, or why the route failed, is on
 * the job and in its log).
 */
export async function encodeWithWebCodecs(deps: EncodeRunnerDeps, plan: EncodePlan): Promise<FastOutput | null> {
  const { info, preset, context, source } = plan;
  const toFfmpeg = (note: string | null): null => {
    // A job that tone-maps says so whatever sent it to ffmpeg.wasm ("ffmpeg.wasm only was chosen"…).
    const hdrNote = toneMapsHdr(preset.spec, info) && !note?.includes('HDR') ? 'HDR → SDR tone-mapped' : null;
    context.update({ engine: 'ffmpeg', engineNote: [note, hdrNote].filter(Boolean).join('; ') || null });
    return null;
  };
  const route = await routeJob({
    preset,
    source: info,
    edits: plan.edits,
    mode: deps.engineMode?.() ?? 'ffmpeg',
    encoder: deps.pool.webcodecsEncode?.bind(deps.pool),
    ...(deps.hooks?.h264TargetQp !== undefined ? { h264TargetQp: deps.hooks.h264TargetQp } : {}),
    support: async (planned) => {
      const support = await plan.support();
      // A preset of one's own was not among the source's probed targets: ask for its own.
      if (!support || support.encode[preset.id]) return support;
      const own = await probeSupport(deps, source, info, planned);
      return own ? { ...support, encode: { ...support.encode, ...own.encode } } : support;
    },
    scratchFolder: () => plan.scratchFolder(),
  });
  throwIfAborted(context.signal);
  if (route.engine === 'ffmpeg') {
    context.onLog([`[ffbatch] Engine: ffmpeg.wasm (${route.reason}).`]);
    return toFfmpeg(route.reason);
  }
  const { encoder: encode, scratchFolder: folder } = route;
  let target = route.target;
  context.update({ engine: 'webcodecs', engineNote: null });
  const steering = target.targetQp !== undefined ? `, steered to H.264 QP ${target.targetQp}` : '';
  context.onLog([`[ffbatch] Engine: WebCodecs, ${target.width}×${target.height} starting at ${Math.round(target.videoBitrate / 1000)} kb/s${steering}.`]);
  const gate = deps.webcodecsGate;
  if (gate?.busy) context.onLog(['[ffbatch] Waiting for a WebCodecs encode under way to finish: one at a time keeps every core busy here.']);
  // The job says what it waits for (issue 15) rather than "0 % · estimating time left".
  const waitingFor = `the fast route's encoder (${gate?.limit === 1 ? 'one encode at a time' : `${gate?.limit ?? 1} encodes at a time`} on this machine)`;
  const release = gate ? (gate.busy ? await waitFor(context, waitingFor, gate.acquire(context.signal)) : await gate.acquire(context.signal)) : () => {};
  if (promisesQuality(preset, target, info, deps.hooks ?? {})) {
    let promise: QualityPromise;
    try {
      promise = await keepQualityPromise(deps, plan, target);
    } catch (error) {
      if (isAbortError(error) || context.signal.aborted) {
        release();
        throw error;
      }
      promise = { engine: 'as-planned', why: `the quality samples failed (${error instanceof Error ? error.message : String(error)})` };
    }
    if (promise.engine === 'ffmpeg') {
      release();
      context.onLog([`[ffbatch] Engine: ffmpeg.wasm (${promise.reason}).`]);
      return toFfmpeg(promise.reason);
    }
    if (promise.engine === 'webcodecs') {
      target = atFixedRate(target, promise.videoBitrate, promise.guard);
      const guard = promise.guard ? `, raised (up to ${Math.round(promise.guard.maxBitrate / 1000)} kb/s) where its H.264 QP drifts above ${promise.guard.qpCeiling.toFixed(2)}` : '';
      context.onLog([`[ffbatch] Engine: WebCodecs at ${Math.round(promise.videoBitrate / 1000)} kb/s, the rate its quality samples chose${guard}.`]);
    } else context.onLog([`[ffbatch] Quality samples skipped: ${promise.why}.`]);
  }
  const startedAt = performance.now();
  // The browser's codecs report every frame; silence this long means a hung decoder or encoder.
  const stallMs = deps.hooks?.webcodecsStallMs ?? WEBCODECS_STALL_MS;
  const stall = new AbortController();
  let watchdog = setTimeout(() => stall.abort(), stallMs);
  const encodeSignal = AbortSignal.any([context.signal, stall.signal]);
  let reason: string;
  try {
    const encodeTo = (planned: WebCodecsPlan) =>
      encode(
        { input: source.file, target: planned, output: `output.${preset.extension}`, scratchFolder: folder, fault: deps.hooks?.webcodecsFault },
        (seconds) => {
          clearTimeout(watchdog);
          watchdog = setTimeout(() => stall.abort(), stallMs);
          const elapsed = (performance.now() - startedAt) / 1000;
          context.onProgress({ progress: progressOf(seconds, info.durationSec), speed: elapsed > 0.5 ? seconds / elapsed : null });
        },
        (lines) => context.onLog(lines.map((line) => `[webcodecs] ${line}`)),
        encodeSignal,
      );
    let result = await encodeTo(target);
    // A size target still over once finished: encoded again lower, once (the check below judges the second).
    const budget = target.sizeBudget;
    if (budget && result.output.size > budget.maxBytes) {
      const audioBytes = Math.max(0, budget.maxBytes * FILL_AIM - budget.videoBytes);
      const videoBitrate = retryVideoBitrate({ videoBitrate: target.videoBitrate, gotBytes: result.output.size, maxBytes: budget.maxBytes, audioBytes });
      context.onLog([`[ffbatch] ${result.output.size} bytes is over the ${budget.maxBytes} to fit in: encoding once more at ${Math.round(videoBitrate / 1000)} kb/s.`]);
      context.onProgress({ progress: 0, speed: null });
      const videoBytes = Math.floor((budget.videoBytes * videoBitrate) / target.videoBitrate);
      result = await encodeTo({ ...target, videoBitrate, sizeBudget: { maxBytes: budget.maxBytes, videoBytes } });
    }
    clearTimeout(watchdog);
    throwIfAborted(context.signal);
    context.onLog([`[ffbatch] WebCodecs made ${result.videoFrames} frames, ${result.durationSec.toFixed(2)} s, in ${((performance.now() - startedAt) / 1000).toFixed(1)} s.`]);
    const output = damagedByKnob(deps, result.output);
    const verification = await checkOutput(deps, plan, output);
    if (verification.problem === null) {
      if (passed(verification)) context.onLog([verifiedLine(verification.checked)]);
      return { output, verification };
    }
    reason = verification.problem;
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
