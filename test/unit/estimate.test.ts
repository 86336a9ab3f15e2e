import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEED_AT_COST_1, estimateBatch, learnSpeed, speedOf } from '../../src/report/estimate';
import { SpeedStore } from '../../src/storage/speed-store';

describe('estimateBatch', () => {
  it('spreads jobs longest first over the workers', () => {
    // Job times 10, 8, 6, 4: worker 1 gets 10 + 4, worker 2 gets 8 + 6.
    const items = [10, 8, 6, 4].map((t) => ({ mediaSeconds: t * 2, speed: 2 }));
    expect(estimateBatch(items, 2)).toEqual({ wallSeconds: 14, encodeSeconds: 28 });
    expect(estimateBatch(items, 1).wallSeconds).toBe(28);
    expect(estimateBatch(items, 8).wallSeconds).toBe(10);
  });

  it('is zero for no jobs', () => {
    expect(estimateBatch([], 2)).toEqual({ wallSeconds: 0, encodeSeconds: 0 });
  });
});

describe('speedOf / learnSpeed', () => {
  it('starts from the stated default, scaled by the preset cost', () => {
    expect(speedOf(undefined, 1)).toEqual({ speed: DEFAULT_SPEED_AT_COST_1, learnt: false });
    expect(speedOf(undefined, 4).speed).toBeCloseTo(DEFAULT_SPEED_AT_COST_1 / 4, 10);
  });

  it('learns from finished jobs, the recent ones weighing more', () => {
    const first = learnSpeed(undefined, 60, 30);
    expect(speedOf(first, 1)).toEqual({ speed: 2, learnt: true });
    let sample = first;
    for (let i = 0; i < 20; i++) sample = learnSpeed(sample, 60, 10);
    expect(sample?.runs).toBe(21);
    expect(speedOf(sample, 1).speed).toBeGreaterThan(5.9);
    expect(speedOf(sample, 1).speed).toBeLessThan(6);
  });

  it('ignores jobs that cannot be timed', () => {
    const sample = learnSpeed(undefined, 60, 30);
    expect(learnSpeed(sample, 0, 10)).toBe(sample);
    expect(learnSpeed(sample, 60, 0)).toBe(sample);
    expect(learnSpeed(sample, Number.NaN, 10)).toBe(sample);
  });
});

describe('SpeedStore', () => {
  it('keeps each preset record across instances', async () => {
    const a = new SpeedStore('speed-test');
    await a.update('mp3-audio', (prev) => learnSpeed(prev, 100, 5));
    await a.update('mp3-audio', (prev) => learnSpeed(prev, 100, 5));
    const b = new SpeedStore('speed-test');
    const all = await b.all();
    expect(all.get('mp3-audio')?.runs).toBe(2);
    expect(speedOf(all.get('mp3-audio'), 0.3).speed).toBeCloseTo(20, 10);
    expect(all.has('flv-320x240')).toBe(false);
  });
});
