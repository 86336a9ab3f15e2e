/**
 * "Fit in N MB": the bytes of a size target shared out before an encode, and the lower rate
 * of the one retry when a finished file is still over. Pure.
 *
 * The promise: never more than the target's bytes, and at least 85 % of it when the source
 * needs the room. The sound's share is taken first; the picture gets the rest, aimed a little
 * under the target (rate control swings, the container's index), with the encoders' rate
 * buffer (`BUFFER_SEC` of video at the cap) counted as a possible overshoot.
 */

/** Share of the target aimed at: what is left after the swings measured on x264 and OpenH264. */
export const FILL_AIM = 0.93;
/** The retry aims lower still: it is the last try. */
export const RETRY_AIM = 0.88;
/** The encoders' rate buffer, seconds of video at the cap (x264/x265 `-bufsize`); a twentieth of a short clip. */
export const BUFFER_SEC = 1;
const BUFFER_SHARE = 0.05;

export function bufferSeconds(durationSec: number): number {
  return Math.min(BUFFER_SEC, durationSec * BUFFER_SHARE);
}
/** The container's index and headers: a share of the file plus a fixed part. */
const OVERHEAD_SHARE = 0.01;
const OVERHEAD_BYTES = 16_000;
/**
 * The least a picture needs to be watchable, in bits per second at 1280×720 30 fps;
 * other sizes by the pixel rate to the power 0.75, as webcodecs-bitrate.ts scales rates.
 */
export const WATCHABLE_720P = 150_000;
const WATCHABLE_FLOOR = 40_000;
const REFERENCE_PIXEL_RATE = 1280 * 720 * 30;

/** The least video bitrate worth sending at this size and rate (fps capped at 30: more frames cost little more). */
export function watchableBitrate(width: number, height: number, fps: number | null): number {
  const rate = Math.min(30, fps !== null && fps > 0 ? fps : 30);
  return Math.max(WATCHABLE_FLOOR, Math.round((WATCHABLE_720P * ((width * height * rate) / REFERENCE_PIXEL_RATE) ** 0.75) / 1000) * 1000);
}

export interface BudgetInput {
  /** The target: never more bytes than this. */
  maxBytes: number;
  durationSec: number | null;
  /** The sound's bitrate in the output, 0 when it has none. */
  audioBitrate: number;
  /** The planned picture. */
  width: number;
  height: number;
  fps: number | null;
  /** Other heights the same source could take (for "what would fit"), largest first. */
  smallerSizes?: readonly { width: number; height: number }[];
}

export type BudgetPlan =
  | {
      ok: true;
      videoBitrate: number;
      audioBitrate: number;
      audioBytes: number;
      overheadBytes: number;
      /** The rate buffer (`-bufsize`), bits: the most the picture can run over its share. */
      bufferBits: number;
    }
  | { ok: false; reason: string };

function overheadOf(maxBytes: number): number {
  return Math.round(maxBytes * OVERHEAD_SHARE + OVERHEAD_BYTES);
}

function videoBitsFor(maxBytes: number, aim: number, durationSec: number, audioBitrate: number): number {
  const audioBytes = (audioBitrate / 8) * durationSec;
  const bytes = maxBytes * aim - overheadOf(maxBytes) - audioBytes;
  return Math.floor((bytes * 8) / (durationSec + bufferSeconds(durationSec)) / 1000) * 1000;
}

/** "1 min 05 s", "45 s". */
function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

function megabytes(bytes: number): string {
  return `${Number((bytes / 1e6).toFixed(1))} MB`;
}

/**
 * Shares a size target out, or says why it cannot hold a watchable picture and what would fit.
 *
 * @example
 * planSizeBudget({ maxBytes: 10e6, durationSec: 45, audioBitrate: 128_000, width: 1280, height: 720, fps: 30 });
 * // { ok: true, videoBitrate: 1_471_000, audioBitrate: 128_000, audioBytes: 720_000, … }
 */
export function planSizeBudget(input: BudgetInput): BudgetPlan {
  const { maxBytes, durationSec, audioBitrate, width, height, fps } = input;
  if (durationSec === null || !(durationSec > 0)) {
    return { ok: false, reason: `The file does not say how long it lasts, so ${megabytes(maxBytes)} cannot be shared out over it.` };
  }
  const videoBitrate = videoBitsFor(maxBytes, FILL_AIM, durationSec, audioBitrate);
  const floor = watchableBitrate(width, height, fps);
  if (videoBitrate >= floor) {
    return {
      ok: true,
      videoBitrate,
      audioBitrate,
      audioBytes: Math.ceil((audioBitrate / 8) * durationSec),
      overheadBytes: overheadOf(maxBytes),
      bufferBits: Math.round((videoBitrate * bufferSeconds(durationSec)) / 1000) * 1000,
    };
  }
  const fits: string[] = [];
  const smaller = (input.smallerSizes ?? []).find((s) => s.height < height && videoBitrate >= watchableBitrate(s.width, s.height, fps));
  if (smaller) fits.push(`at ${smaller.height} lines`);
  if (audioBitrate > 0 && videoBitsFor(maxBytes, FILL_AIM, durationSec, 0) >= floor) fits.push(`at ${height} lines without sound`);
  // The longest stretch of this source that would fit as it is: bits ≥ floor.
  const usable = maxBytes * FILL_AIM - overheadOf(maxBytes);
  const longest = Math.max(0, (usable * 8) / (floor + audioBitrate) - BUFFER_SEC);
  const picture = videoBitrate > 0 ? `the picture would get ${Math.round(videoBitrate / 1000)} kb/s` : 'the sound alone would take it all';
  const would = fits.length > 0 ? `It would fit ${fits.join(', or ')}` : `A larger size to fit in would do`;
  return {
    ok: false,
    reason:
      `${megabytes(maxBytes)} cannot hold ${clock(durationSec)} at ${height} lines: ${picture}, under the ${Math.round(floor / 1000)} kb/s it needs to be watchable. ` +
      `${would}${longest >= 1 ? `; at ${height} lines with this sound, up to ${clock(longest)} fits` : ''}.`,
  };
}

/**
 * The one retry's video bitrate when a finished file came out over its target: the
 * picture's share scaled by what it should have been against what it was.
 *
 * @example
 * retryVideoBitrate({ videoBitrate: 1_500_000, gotBytes: 10_400_000, maxBytes: 10e6, audioBytes: 720_000 }); // ~1.25 Mb/s
 */
export function retryVideoBitrate(input: { videoBitrate: number; gotBytes: number; maxBytes: number; audioBytes: number }): number {
  const { videoBitrate, gotBytes, maxBytes, audioBytes } = input;
  const fixed = audioBytes + overheadOf(maxBytes);
  const got = Math.max(1, gotBytes - fixed);
  const want = Math.max(0, maxBytes * RETRY_AIM - fixed);
  return Math.max(WATCHABLE_FLOOR, Math.floor((videoBitrate * Math.min(1, want / got)) / 1000) * 1000);
}
