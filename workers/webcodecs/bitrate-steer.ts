/**
 * Steers an H.264 WebCodecs encode towards a constant quality. OpenH264 (Chromium's
 * software H.264) takes only a bitrate, and no one bitrate suits all content: at the same
 * 1.25 Mb/s, flower-like footage came out at QP 25 and friday-like footage at QP 30, 2.4 dB
 * below x264 CRF 23. So the route watches the QP its rate control picks, window by window,
 * and moves the bitrate so that the mean QP sits at `targetQp`: about 6 QP per doubling of
 * bits, as H.264's quantiser scale is built. The calibration is in webcodecs-bitrate.ts.
 */

export interface SteerOptions {
  /** The bitrate the encode starts at (the plan's). */
  startBitrate: number;
  targetQp: number;
  /** Frames per decision: about two seconds of video. */
  windowFrames: number;
  /** The bitrate stays within these multiples of the start. */
  minFactor: number;
  maxFactor: number;
  /** Changes smaller than this share are not worth a reconfigure. */
  deadBand: number;
}

/** The steering's limits for the WebCodecs H.264 route (the target QP and window come per encode). */
export const H264_STEERING = { minFactor: 0.5, maxFactor: 2.5, deadBand: 0.08 } as const;

/**
 * The drift guard's limits (Auto's quality promise, a `qualityGuard`): the rate its samples chose
 * is a floor; the ceiling is the guard's `maxBitrate` (the promise's size cap), given per encode.
 */
export const DRIFT_GUARD = { minFactor: 1, deadBand: 0.08 } as const;

export class BitrateSteer {
  private bitrate: number;
  private sum = 0;
  private frames = 0;
  /** Each change: frame index and new bitrate (for the log). */
  readonly changes: { frame: number; meanQp: number; bitrate: number }[] = [];
  private seen = 0;

  constructor(private readonly options: SteerOptions) {
    this.bitrate = options.startBitrate;
  }

  get targetQp(): number {
    return this.options.targetQp;
  }

  get current(): number {
    return this.bitrate;
  }

  /** Takes one frame's QP; returns the new bitrate when this frame ends a window that calls for a change, else null. */
  add(qp: number): number | null {
    this.seen++;
    this.sum += qp;
    this.frames++;
    if (this.frames < this.options.windowFrames) return null;
    const meanQp = this.sum / this.frames;
    this.sum = 0;
    this.frames = 0;
    const { startBitrate, targetQp, minFactor, maxFactor, deadBand } = this.options;
    const wanted = this.bitrate * 2 ** ((meanQp - targetQp) / 6);
    const next = Math.round(Math.min(startBitrate * maxFactor, Math.max(startBitrate * minFactor, wanted)));
    if (Math.abs(next / this.bitrate - 1) < deadBand) return null;
    this.bitrate = next;
    this.changes.push({ frame: this.seen, meanQp, bitrate: next });
    return next;
  }
}

export interface BudgetSteerOptions {
  /** The bitrate the encode starts at: the budget's even share. */
  startBitrate: number;
  /** The picture's bytes for the whole file. */
  videoBytes: number;
  durationSec: number;
  /** Frames per decision: about two seconds of video. */
  windowFrames: number;
}

/**
 * Steers a WebCodecs encode toward a byte budget ("Fit in N MB"): window by window, the
 * bytes left over the seconds left give the rate for the rest, within 0.3–2× of the start
 * (a hard scene borrows from the easy ones, and pays back). Changes under 8 % are not worth
 * a reconfigure. H.264's QP steering yields to it: a size target is the promise.
 */
export class BudgetSteer {
  private bitrate: number;
  private bytes = 0;
  private frames = 0;
  readonly changes: { atSec: number; bitrate: number }[] = [];

  constructor(private readonly options: BudgetSteerOptions) {
    this.bitrate = options.startBitrate;
  }

  get current(): number {
    return this.bitrate;
  }

  get bytesSoFar(): number {
    return this.bytes;
  }

  /** Takes one encoded frame (its bytes, where it ends in seconds); the new bitrate when a window ends off course, else null. */
  add(frameBytes: number, endSec: number): number | null {
    this.bytes += frameBytes;
    this.frames++;
    if (this.frames < this.options.windowFrames) return null;
    this.frames = 0;
    const { startBitrate, videoBytes, durationSec } = this.options;
    const secondsLeft = durationSec - endSec;
    if (secondsLeft < 1) return null;
    const wanted = (Math.max(0, videoBytes - this.bytes) * 8) / secondsLeft;
    const next = Math.round(Math.min(startBitrate * 2, Math.max(startBitrate * 0.3, wanted)));
    if (Math.abs(next / this.bitrate - 1) < H264_STEERING.deadBand) return null;
    this.bitrate = next;
    this.changes.push({ atSec: endSec, bitrate: next });
    return next;
  }
}
