import { describe, expect, it } from 'vitest';
import { MAX_PARTS, MIN_PART_SIZE, choosePartSize, planParts, remainingParts } from '../../src/upload/part-planner';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('choosePartSize', () => {
  it('keeps a wish of 5 MiB or more', () => {
    expect(choosePartSize(100 * MiB, 16 * MiB)).toBe(16 * MiB);
  });

  it('raises a wish below 5 MiB to 5 MiB', () => {
    expect(choosePartSize(100 * MiB, 1 * MiB)).toBe(MIN_PART_SIZE);
  });

  it('grows parts so a huge blob needs at most 10 000 of them', () => {
    const total = 200 * GiB;
    const size = choosePartSize(total, 5 * MiB);
    expect(Math.ceil(total / size)).toBeLessThanOrEqual(MAX_PARTS);
    expect(size % MiB).toBe(0);
    expect(size).toBe(21 * MiB); // 200 GiB / 10 000 = 20.48 MiB, rounded up to a whole MiB
  });

  it('refuses a blob that no plan can hold', () => {
    expect(() => choosePartSize(5 * 1024 * GiB * 10_000 + 1)).toThrow(RangeError);
    expect(() => choosePartSize(-1)).toThrow(RangeError);
  });
});

describe('planParts', () => {
  it('cuts contiguous ranges, the last one shorter', () => {
    expect(planParts(11 * MiB, 5 * MiB)).toEqual([
      { partNumber: 1, start: 0, end: 5 * MiB },
      { partNumber: 2, start: 5 * MiB, end: 10 * MiB },
      { partNumber: 3, start: 10 * MiB, end: 11 * MiB },
    ]);
  });

  it('has no empty trailing part when the size divides exactly', () => {
    expect(planParts(10 * MiB, 5 * MiB).map((p) => p.end - p.start)).toEqual([5 * MiB, 5 * MiB]);
  });

  it('gives an empty blob one empty part', () => {
    expect(planParts(0, 5 * MiB)).toEqual([{ partNumber: 1, start: 0, end: 0 }]);
  });

  it('covers every byte exactly once, with every part but the last at least 5 MiB', () => {
    const total = 123 * MiB + 4567;
    const parts = planParts(total, choosePartSize(total));
    expect(parts.reduce((sum, p) => sum + (p.end - p.start), 0)).toBe(total);
    parts.slice(0, -1).forEach((p) => expect(p.end - p.start).toBeGreaterThanOrEqual(MIN_PART_SIZE));
    parts.slice(1).forEach((p, i) => expect(p.start).toBe(parts[i]?.end));
  });

  it('refuses more than 10 000 parts', () => {
    expect(() => planParts(10_001 * 5 * MiB, 5 * MiB)).toThrow(RangeError);
  });
});

describe('remainingParts', () => {
  it('leaves out the parts already completed, in order', () => {
    const plan = planParts(21 * MiB, 5 * MiB);
    const left = remainingParts(plan, [{ PartNumber: 2 }, { PartNumber: 4 }]);
    expect(left.map((p) => p.partNumber)).toEqual([1, 3, 5]);
  });

  it('is empty when all parts are done, whole when none are', () => {
    const plan = planParts(10 * MiB, 5 * MiB);
    expect(remainingParts(plan, [{ PartNumber: 1 }, { PartNumber: 2 }])).toEqual([]);
    expect(remainingParts(plan, [])).toEqual(plan);
  });
});
