/**
 * The estimate before Encode: how long the batch will take on this device, from the probed
 * durations and the speed each preset has shown here before (learnt, kept in IndexedDB).
 */

/**
 * What a preset has done on this device: media seconds converted and the worker seconds it
 * took, both decayed so that recent runs weigh more (a new browser or machine shows soon).
 */
export interface SpeedSample {
  mediaSeconds: number;
  encodeSeconds: number;
  runs: number;
}

/**
 * Default speed, in media seconds per worker second, of a preset of relative cost 1, until
 * this device has run it: DESIGN.md measured 60 s of 704×544 AVI → `flv-320x240` (cost 1) in
 * 11.2 s on a 2-core machine, two workers at once: 5.4× real time. A preset of relative
 * cost c is taken to run c times slower.
 */
export const DEFAULT_SPEED_AT_COST_1 = 5.4;

/** Weight kept by the past at each new run (the last ~5 runs dominate). */
const DECAY = 0.8;

/** Adds one finished job to a preset's record. Jobs too short to time are ignored. */
export function learnSpeed(previous: SpeedSample | undefined, mediaSeconds: number, encodeSeconds: number): SpeedSample | undefined {
  if (!(mediaSeconds > 0) || !(encodeSeconds > 0.05) || !Number.isFinite(mediaSeconds) || !Number.isFinite(encodeSeconds)) return previous;
  if (!previous) return { mediaSeconds, encodeSeconds, runs: 1 };
  return {
    mediaSeconds: previous.mediaSeconds * DECAY + mediaSeconds,
    encodeSeconds: previous.encodeSeconds * DECAY + encodeSeconds,
    runs: previous.runs + 1,
  };
}

/** Media seconds per worker second: learnt when there is a record, else the default for its cost. */
export function speedOf(sample: SpeedSample | undefined, relativeCost: number): { speed: number; learnt: boolean } {
  if (sample && sample.encodeSeconds > 0 && sample.mediaSeconds > 0) return { speed: sample.mediaSeconds / sample.encodeSeconds, learnt: true };
  return { speed: DEFAULT_SPEED_AT_COST_1 / Math.max(0.01, relativeCost), learnt: false };
}

/**
 * One job to come, for {@link estimateBatch}: its media length and its expected speed.
 *
 * @example
 * ```ts
 * const item: EstimateItem = { mediaSeconds: 45, speed: session.speeds.speedOf('mp3-audio').speed };
 * ```
 */
export interface EstimateItem {
  mediaSeconds: number;
  /** Media seconds per worker second. */
  speed: number;
}

export interface BatchEstimate {
  wallSeconds: number;
  encodeSeconds: number;
}

/**
 * Wall time of `items` on `workers` workers, scheduled as the queue does: longest first,
 * each to the worker that frees first.
 *
 * @example
 * ```ts
 * estimateBatch([{ mediaSeconds: 60, speed: 2 }, { mediaSeconds: 30, speed: 1 }], 2).wallSeconds; // 30
 * ```
 */
export function estimateBatch(items: readonly EstimateItem[], workers: number): BatchEstimate {
  const times = items.map((item) => (item.speed > 0 ? item.mediaSeconds / item.speed : 0)).sort((a, b) => b - a);
  const lanes = Array.from({ length: Math.max(1, Math.floor(workers)) }, () => 0);
  for (const t of times) {
    let best = 0;
    for (let i = 1; i < lanes.length; i++) if ((lanes[i] ?? 0) < (lanes[best] ?? 0)) best = i;
    lanes[best] = (lanes[best] ?? 0) + t;
  }
  return { wallSeconds: Math.max(...lanes), encodeSeconds: times.reduce((a, b) => a + b, 0) };
}
