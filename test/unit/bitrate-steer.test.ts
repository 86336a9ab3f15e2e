import { describe, expect, it } from 'vitest';
import { BitrateSteer, BudgetSteer, DRIFT_GUARD, H264_STEERING } from '../../workers/webcodecs/bitrate-steer';

const steer = (startBitrate = 1_000_000): BitrateSteer => new BitrateSteer({ ...H264_STEERING, startBitrate, targetQp: 26, windowFrames: 10 });

function feed(s: BitrateSteer, qp: number, frames: number): (number | null)[] {
  return Array.from({ length: frames }, () => s.add(qp));
}

describe('BitrateSteer', () => {
  it('decides once a window is full: 6 QP above the target doubles the bitrate', () => {
    const s = steer();
    const answers = feed(s, 32, 10);
    expect(answers.slice(0, 9)).toEqual(Array(9).fill(null));
    expect(answers[9]).toBe(2_000_000);
    expect(s.current).toBe(2_000_000);
    expect(s.changes).toEqual([{ frame: 10, meanQp: 32, bitrate: 2_000_000 }]);
  });

  it('3 QP below the target cuts the bitrate by √2; on target nothing changes', () => {
    const s = steer();
    expect(feed(s, 23, 10)[9]).toBe(Math.round(1_000_000 / Math.SQRT2));
    expect(feed(s, 26, 10)[9]).toBeNull();
  });

  it('small differences (inside the dead band) do not reconfigure the encoder', () => {
    const s = steer();
    expect(feed(s, 26.5, 10)[9]).toBeNull(); // 2^(0.5/6) = +5.9 %
    expect(s.changes).toHaveLength(0);
  });

  it('stays within 0.5× and 2.5× of the start however hard or easy the content', () => {
    const s = steer();
    for (let i = 0; i < 5; i++) feed(s, 51, 10);
    expect(s.current).toBe(2_500_000);
    for (let i = 0; i < 8; i++) feed(s, 10, 10);
    expect(s.current).toBe(500_000);
  });

  it('each window is judged on its own frames (the mean of 24 and 28 is on target)', () => {
    const s = steer();
    feed(s, 24, 5);
    expect(feed(s, 28, 5)[4]).toBeNull();
    expect(feed(s, 38, 10)[9], '12 QP over asks for 4×: capped at 2.5×').toBe(2_500_000);
  });
});

describe("the drift guard (Auto's quality promise: a QP ceiling over the samples' rate)", () => {
  const guard = (): BitrateSteer => new BitrateSteer({ ...DRIFT_GUARD, maxFactor: 1.5, startBitrate: 1_000_000, targetQp: 27, windowFrames: 10 });

  it('footage as easy as the samples, or easier, keeps the chosen rate: never below it', () => {
    const s = guard();
    for (let i = 0; i < 4; i++) expect(feed(s, 22, 10)[9]).toBeNull();
    expect(s.current).toBe(1_000_000);
    expect(s.changes).toHaveLength(0);
  });

  it('a stretch that drifts above the ceiling raises the rate, up to the size cap’s rate, and it comes back to the floor after', () => {
    expect(feed(guard(), 30, 10)[9], '3 QP over asks for √2×').toBe(Math.round(1_000_000 * Math.SQRT2));
    const s = guard();
    feed(s, 40, 10);
    expect(s.current, 'capped at the size cap’s rate').toBe(1_500_000);
    feed(s, 20, 10);
    expect(s.current).toBe(1_000_000);
  });
});

describe('BudgetSteer (Fit in N MB on the fast route)', () => {
  const budget = (): BudgetSteer => new BudgetSteer({ startBitrate: 1_000_000, videoBytes: 5_000_000, durationSec: 40, windowFrames: 30 });

  /** Feeds `seconds` of 30 fps frames made at `bitrate`, from `fromSec`; returns the changes asked. */
  function run(s: BudgetSteer, fromSec: number, seconds: number, bitrate: number): number[] {
    const asked: number[] = [];
    for (let i = 1; i <= seconds * 30; i++) {
      const next = s.add(bitrate / 8 / 30, fromSec + i / 30);
      if (next !== null) asked.push(next);
    }
    return asked;
  }

  it('leaves an encode on course alone', () => {
    const s = budget();
    expect(run(s, 0, 20, 1_000_000)).toEqual([]);
  });

  it('an encoder running over is brought down so the rest fits the bytes left', () => {
    const s = budget();
    const asked = run(s, 0, 10, 1_600_000);
    expect(asked.length).toBeGreaterThan(0);
    // After 10 s at 1.6 Mb/s (2 MB), 3 MB are left for 30 s: 800 kb/s.
    expect(s.current).toBeLessThan(1_000_000);
    expect(s.current).toBeGreaterThan(700_000);
    expect(s.bytesSoFar).toBeCloseTo(2_000_000, 0);
  });

  it('an easy start lends its bytes to the rest, within 2× the start', () => {
    const s = budget();
    run(s, 0, 30, 200_000);
    // Asked for more each window; capped at 2 Mb/s (the last step is under the dead band).
    expect(s.current).toBeGreaterThan(1_800_000);
    expect(s.current).toBeLessThanOrEqual(2_000_000);
  });
});
