/**
 * Sample-and-pick: the lowest rate whose sample encodes reach a quality target, ab-av1's
 * `crf-search` over whatever "rate" an encoder takes (a bitrate for OpenH264; for VP9/AV1 a
 * quantizer turned round so that more rate is better). The caller encodes and scores the
 * samples (two or three short cuts from different parts of the file, summed); this only
 * decides which rate to try next and when to stop, so it is tested on a fake encoder.
 *
 * It assumes what codecs give: more rate, more quality and more bytes. Two probes that bracket
 * the target are bisected in log-rate, aimed by interpolating their scores; a size cap ends the
 * search as soon as a failing rate is already too big (any rate that passes would be bigger).
 */

export interface SampleResult {
  /** The samples' quality (e.g. PSNR in dB): higher is better. */
  score: number;
  /** The samples' encoded size. */
  bytes: number;
}

export interface Probe extends SampleResult {
  rate: number;
}

export interface RateSearchOptions {
  /** The score a rate must reach. */
  target: number;
  minRate: number;
  maxRate: number;
  /** The first rate tried (the plan's own guess); the geometric middle when absent. */
  startRate?: number;
  /** Samples bigger than this are over the size cap (e.g. 1.5 × the other route's bytes for the same samples). */
  maxBytes?: number;
  /** Stop once the passing and failing rates are within this ratio. */
  precision?: number;
  /** At most this many sample encodes. */
  maxProbes?: number;
  /** Rates are rounded to a multiple of this (e.g. 1000 b/s). */
  quantum?: number;
  encodeSample: (rate: number) => Promise<SampleResult>;
  signal?: AbortSignal;
}

export type RateSearchResult =
  | { kind: 'found'; rate: number; score: number; bytes: number; probes: Probe[] }
  /** `quality`: not even the highest rate reaches the target; `size`: reaching it takes more bytes than the cap. */
  | { kind: 'out-of-reach'; why: 'quality' | 'size'; best: Probe | null; probes: Probe[] };

export const RATE_SEARCH_DEFAULTS = { precision: 1.1, maxProbes: 6, quantum: 1 } as const;

/** Beyond one bracketing side, step by at most this factor per probe. */
const MAX_STEP = 4;
const MIN_STEP = 1.25;

export async function searchRate(options: RateSearchOptions): Promise<RateSearchResult> {
  const { target, minRate, maxRate, maxBytes, encodeSample, signal } = options;
  const precision = options.precision ?? RATE_SEARCH_DEFAULTS.precision;
  const maxProbes = options.maxProbes ?? RATE_SEARCH_DEFAULTS.maxProbes;
  const quantum = options.quantum ?? RATE_SEARCH_DEFAULTS.quantum;
  if (!(minRate > 0) || !(maxRate >= minRate)) throw new TypeError(`searchRate needs 0 < minRate ≤ maxRate (got ${minRate} and ${maxRate}).`);
  if (!(precision > 1)) throw new TypeError('searchRate: precision must be above 1.');

  const probes: Probe[] = [];
  const passes = (p: Probe): boolean => p.score >= target;
  const fits = (p: Probe): boolean => maxBytes === undefined || p.bytes <= maxBytes;
  const clampRate = (rate: number): number => Math.min(maxRate, Math.max(minRate, Math.round(rate / quantum) * quantum || minRate));
  const lowestPass = (): Probe | undefined => probes.filter(passes).sort((a, b) => a.rate - b.rate)[0];
  const highestFail = (below: number): Probe | undefined => probes.filter((p) => !passes(p) && p.rate < below).sort((a, b) => b.rate - a.rate)[0];
  /** Rate at which the line through two probes (score against log-rate) meets the target. */
  const aim = (a: Probe, b: Probe): number | null => {
    if (a.rate === b.rate || a.score === b.score) return null;
    const t = (target - a.score) / (b.score - a.score);
    return Math.exp(Math.log(a.rate) + t * (Math.log(b.rate) - Math.log(a.rate)));
  };

  let next = clampRate(options.startRate ?? Math.sqrt(minRate * maxRate));
  /** The rate tried because the bytes put the cap there, once. */
  let capRate: number | null = null;
  while (probes.length < maxProbes) {
    signal?.throwIfAborted();
    if (probes.some((p) => p.rate === next)) break;
    const sample = await encodeSample(next);
    probes.push({ rate: next, score: sample.score, bytes: sample.bytes });

    const pass = lowestPass();
    const fail = highestFail(pass?.rate ?? Infinity);
    if (!pass) {
      // Failing and already over the cap: any rate that passes is bigger still.
      if (fail && !fits(fail)) return { kind: 'out-of-reach', why: 'size', best: fail, probes };
      if (!fail || fail.rate >= maxRate) break;
      const below = highestFail(fail.rate);
      const guess = below ? aim(below, fail) : null;
      next = clampRate(fail.rate * Math.min(MAX_STEP, Math.max(MIN_STEP, guess && guess > fail.rate ? (guess / fail.rate) * 1.05 : 2)));
    } else if (!fail) {
      if (pass.rate <= minRate) break;
      const above = probes.filter((p) => passes(p) && p.rate > pass.rate).sort((a, b) => a.rate - b.rate)[0];
      const guess = above ? aim(pass, above) : null;
      next = clampRate(pass.rate / Math.min(MAX_STEP, Math.max(MIN_STEP, guess && guess < pass.rate ? (pass.rate / guess) * 0.95 : 2)));
    } else {
      // A failing sample over the cap, or at the cap's own rate: every rate that passes is too big.
      if (!fits(fail) || (capRate !== null && fail.rate === capRate)) return { kind: 'out-of-reach', why: 'size', best: pass, probes };
      if (!fits(pass) && maxBytes !== undefined && capRate === null) {
        // The lowest pass is too big: try the rate the bytes say the cap allows (bytes grow about linearly with rate).
        const slope = (pass.bytes - fail.bytes) / (pass.rate - fail.rate);
        capRate = Math.floor((fail.rate + (slope > 0 ? (maxBytes - fail.bytes) / slope : 0)) / quantum) * quantum;
        if (capRate <= fail.rate || capRate >= pass.rate) return { kind: 'out-of-reach', why: 'size', best: pass, probes };
        next = capRate;
        continue;
      }
      if (pass.rate / fail.rate <= precision) break;
      // Aim by the scores, but keep within the middle of the bracket so that it always shrinks.
      const lo = Math.log(fail.rate);
      const span = Math.log(pass.rate) - lo;
      const guess = aim(fail, pass);
      const t = guess === null ? 0.5 : Math.min(0.75, Math.max(0.25, (Math.log(guess) - lo) / span));
      next = clampRate(Math.exp(lo + t * span));
      if (next === fail.rate || next === pass.rate) break;
    }
  }

  const pass = lowestPass();
  if (pass) {
    return fits(pass)
      ? { kind: 'found', rate: pass.rate, score: pass.score, bytes: pass.bytes, probes }
      : { kind: 'out-of-reach', why: 'size', best: pass, probes };
  }
  const best = [...probes].sort((a, b) => b.score - a.score)[0] ?? null;
  return { kind: 'out-of-reach', why: 'quality', best, probes };
}

export type QualityRoute = { engine: 'webcodecs'; rate: number } | { engine: 'ffmpeg'; reason: string };

/**
 * Where a job goes after the search: the fast route at the rate found, or ffmpeg.wasm with a
 * few words saying why ("fast route can't reach Good quality on this footage within 1.5× the size").
 */
export function routeForQuality(result: RateSearchResult, goal: { label: string; sizeFactor?: number }): QualityRoute {
  if (result.kind === 'found') return { engine: 'webcodecs', rate: result.rate };
  const within = goal.sizeFactor === undefined ? '' : ` within ${formatFactor(goal.sizeFactor)}× the size`;
  return { engine: 'ffmpeg', reason: `fast route can't reach ${goal.label} quality on this footage${result.why === 'size' ? within : ' at any rate it offers'}` };
}

function formatFactor(factor: number): string {
  return Number.isInteger(factor) ? String(factor) : factor.toFixed(2).replace(/0$/, '');
}
