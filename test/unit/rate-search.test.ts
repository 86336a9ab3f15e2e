import { describe, expect, it } from 'vitest';
import { routeForQuality, searchRate, type SampleResult } from '../../workers/quality/rate-search';

/**
 * A fake encoder with a known curve: PSNR rises 6 dB per doubling of the bitrate from
 * `at1M` dB at 1 Mb/s (then flattens at `ceiling`), and 6 s of samples weigh rate × 6 / 8 bytes.
 */
function fakeEncoder(at1M: number, ceiling = Infinity) {
  const calls: number[] = [];
  const encodeSample = (rate: number): Promise<SampleResult> => {
    calls.push(rate);
    return Promise.resolve({ score: Math.min(ceiling, at1M + 6 * Math.log2(rate / 1_000_000)), bytes: (rate * 6) / 8 });
  };
  /** The exact rate where the curve meets a target. */
  const rateFor = (target: number): number => 1_000_000 * 2 ** ((target - at1M) / 6);
  return { calls, encodeSample, rateFor };
}

const RANGE = { minRate: 250_000, maxRate: 8_000_000, quantum: 1000 };

describe('searchRate (sample and pick)', () => {
  it('finds the lowest rate that reaches the target, within the precision, in a few samples', async () => {
    const fake = fakeEncoder(36);
    const result = await searchRate({ ...RANGE, target: 40, startRate: 1_000_000, encodeSample: fake.encodeSample });
    const exact = fake.rateFor(40); // 1.587 Mb/s
    expect(result.kind).toBe('found');
    if (result.kind !== 'found') return;
    expect(result.score).toBeGreaterThanOrEqual(40);
    expect(result.rate).toBeGreaterThanOrEqual(exact);
    expect(result.rate).toBeLessThanOrEqual(exact * 1.1);
    expect(fake.calls.length).toBeLessThanOrEqual(6);
    expect(new Set(fake.calls).size).toBe(fake.calls.length);
    expect(result.probes.map((p) => p.rate)).toEqual(fake.calls);
  });

  it('comes down from a start that is more than enough', async () => {
    const fake = fakeEncoder(44);
    const result = await searchRate({ ...RANGE, target: 40, startRate: 4_000_000, encodeSample: fake.encodeSample });
    expect(result.kind).toBe('found');
    if (result.kind !== 'found') return;
    expect(result.rate).toBeGreaterThanOrEqual(fake.rateFor(40));
    expect(result.rate).toBeLessThanOrEqual(fake.rateFor(40) * 1.1);
    expect(result.rate).toBeLessThan(1_000_000);
  });

  it('stops at the lowest rate when even that reaches the target', async () => {
    const fake = fakeEncoder(54);
    const result = await searchRate({ ...RANGE, target: 40, startRate: 1_000_000, encodeSample: fake.encodeSample });
    expect(result).toMatchObject({ kind: 'found', rate: 250_000 });
  });

  it('says "quality" when the highest rate does not reach the target (a curve that flattens)', async () => {
    const fake = fakeEncoder(36, 39.5);
    const result = await searchRate({ ...RANGE, target: 40, startRate: 1_000_000, encodeSample: fake.encodeSample });
    expect(result).toMatchObject({ kind: 'out-of-reach', why: 'quality' });
    expect(fake.calls).toContain(8_000_000);
    expect(routeForQuality(result, { label: 'Good', sizeFactor: 1.5 })).toEqual({
      engine: 'ffmpeg',
      reason: "fast route can't reach Good quality on this footage at any rate it offers",
    });
  });

  it('says "size" when the rate that reaches the target is over the cap, without sampling beyond it', async () => {
    const fake = fakeEncoder(30);
    // The other route's samples weigh 1.5 MB; the cap is 1.5× that. The target needs 6.35 Mb/s = 4.76 MB.
    const maxBytes = 1.5 * 1_500_000;
    const result = await searchRate({ ...RANGE, target: 42, startRate: 1_000_000, maxBytes, encodeSample: fake.encodeSample });
    expect(result).toMatchObject({ kind: 'out-of-reach', why: 'size' });
    // A failing sample over the cap ends it: no sample more than one step beyond the cap's rate (3 Mb/s).
    expect(Math.max(...fake.calls)).toBeLessThanOrEqual(3_000_000 * 4);
    expect(fake.calls.filter((rate) => (rate * 6) / 8 > maxBytes).length).toBe(1);
    expect(routeForQuality(result, { label: 'Good', sizeFactor: 1.5 })).toEqual({
      engine: 'ffmpeg',
      reason: "fast route can't reach Good quality on this footage within 1.5× the size",
    });
  });

  it('keeps the fast route when the rate it found fits the cap', async () => {
    const fake = fakeEncoder(36);
    const result = await searchRate({ ...RANGE, target: 40, startRate: 1_000_000, maxBytes: 2_000_000, encodeSample: fake.encodeSample });
    expect(result.kind).toBe('found');
    const route = routeForQuality(result, { label: 'Good', sizeFactor: 1.5 });
    expect(route.engine).toBe('webcodecs');
    if (route.engine === 'webcodecs' && result.kind === 'found') expect(route.rate).toBe(result.rate);
  });

  it('rounds rates to the quantum and refuses a bad range', async () => {
    const fake = fakeEncoder(36);
    await searchRate({ ...RANGE, target: 40, startRate: 1_234_567, encodeSample: fake.encodeSample });
    expect(fake.calls.every((rate) => rate % 1000 === 0)).toBe(true);
    await expect(searchRate({ minRate: 0, maxRate: 10, target: 1, encodeSample: fake.encodeSample })).rejects.toThrow(/0 < minRate ≤ maxRate/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const fake = fakeEncoder(30);
    const encodeSample = async (rate: number): Promise<SampleResult> => {
      controller.abort();
      return fake.encodeSample(rate);
    };
    await expect(searchRate({ ...RANGE, target: 40, encodeSample, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.calls.length).toBe(1);
  });
});
