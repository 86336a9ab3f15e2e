import { describe, expect, it } from 'vitest';
import { assignLanes, batchReport, latestBatch, reportJson, type ReportJob } from '../../src/report/batch-report';
import { CLOUD_PRICE } from '../../src/report/cloud-price';
import { tickStep, timelineSvg } from '../../src/report/timeline-svg';

const T0 = 1_700_000_000_000;

function job(id: string, start: number | null, end: number | null, patch: Partial<ReportJob> = {}): ReportJob {
  return {
    id,
    sourceId: `src-${id}`,
    sourceName: `${id}.avi`,
    presetId: 'flv-320x240',
    state: 'done',
    startedAt: start === null ? null : T0 + start * 1000,
    endedAt: end === null ? null : T0 + end * 1000,
    mediaSeconds: 60,
    sourceBytes: 1_000_000,
    ...patch,
  };
}

/** Four jobs on two workers: a 0–10 and c 10–16 on one, b 0–8 and d 8–20 on the other. */
const FOUR = [job('a', 0, 10), job('b', 0, 8), job('c', 10, 16), job('d', 8, 20)];

describe('batchReport', () => {
  it('gives wall, summed encode time and speed-up from fixed job times', () => {
    const report = batchReport(FOUR, { workers: 2, now: T0 + 99_000 });
    expect(report).not.toBeNull();
    expect(report?.wallSeconds).toBe(20);
    expect(report?.encodeSeconds).toBe(10 + 8 + 6 + 12);
    expect(report?.speedup).toBeCloseTo(36 / 20, 10);
    expect(report?.workers).toBe(2);
    expect(report?.jobs).toBe(4);
    expect(report?.running).toBe(false);
  });

  it('counts media seconds of done jobs only, and × real time against the wall', () => {
    const jobs = [...FOUR.slice(0, 3), { ...FOUR[3]!, state: 'failed' as const }];
    const report = batchReport(jobs, { workers: 2, now: T0 });
    expect(report?.mediaSeconds).toBe(180);
    expect(report?.timesRealTime).toBeCloseTo(180 / 20, 10);
    expect(report?.doneJobs).toBe(3);
  });

  it('gives CPU-hours and the rented machine cost at the given hourly price', () => {
    const report = batchReport([job('a', 0, 3600), job('b', 0, 1800)], { workers: 2, now: T0, price: { ...CLOUD_PRICE, pricePerHour: 0.1, vcpus: 2 } });
    expect(report?.cpuHours).toBeCloseTo(1.5, 10);
    // 1.5 CPU-hours on a 2-vCPU machine: 0.75 machine-hours at $0.10.
    expect(report?.cloud.cost).toBeCloseTo(0.075, 10);
    expect(report?.cloud.pricePerHour).toBe(0.1);
  });

  it('uses the stated default price when none is given', () => {
    const report = batchReport([job('a', 0, 7200)], { workers: 1, now: T0 });
    expect(report?.cloud.pricePerHour).toBe(CLOUD_PRICE.pricePerHour);
    expect(report?.cloud.cost).toBeCloseTo(CLOUD_PRICE.pricePerHour, 10);
    expect(CLOUD_PRICE.source).toMatch(/^https:\/\//);
  });

  it('counts each source once in the bytes not uploaded', () => {
    const jobs = [job('a', 0, 5, { sourceId: 's1', sourceBytes: 100 }), job('b', 0, 5, { sourceId: 's1', sourceBytes: 100 }), job('c', 5, 6, { sourceId: 's2', sourceBytes: 7 })];
    expect(batchReport(jobs, { workers: 2, now: T0 })?.bytesNotUploaded).toBe(107);
  });

  it('runs a running job up to now, and a split job counts once per worker it held', () => {
    const report = batchReport([job('a', 0, null, { state: 'running' }), job('b', 0, 4, { slots: 1 })], { workers: 2, now: T0 + 10_000 });
    expect(report?.running).toBe(true);
    expect(report?.wallSeconds).toBe(10);
    expect(report?.encodeSeconds).toBe(14);
    const split = batchReport([job('long', 0, 30, { slots: 2 })], { workers: 2, now: T0 });
    expect(split?.encodeSeconds).toBe(60);
    expect(split?.speedup).toBe(2);
    expect(split?.bars.map((b) => b.lane)).toEqual([0, 1]);
  });

  it('is null before any job has started', () => {
    expect(batchReport([job('a', null, null, { state: 'queued' })], { workers: 2, now: T0 })).toBeNull();
  });

  it('saves as JSON with the figures and the timeline', () => {
    const report = batchReport(FOUR, { workers: 2, now: T0 });
    const parsed = JSON.parse(reportJson(report!)) as Record<string, unknown>;
    expect(parsed['wallSeconds']).toBe(20);
    expect(parsed['encodeSeconds']).toBe(36);
    expect(parsed['speedup']).toBe(1.8);
    expect(parsed['costHere']).toBe(0);
    expect((parsed['timeline'] as unknown[]).length).toBe(4);
  });
});

describe('assignLanes', () => {
  it('puts each job on the lane that was free when it started', () => {
    const { bars, lanes } = assignLanes(FOUR, 2, T0);
    const laneOf = Object.fromEntries(bars.map((b) => [b.jobId, b.lane]));
    expect(lanes).toBe(2);
    expect(laneOf).toEqual({ a: 0, b: 1, d: 1, c: 0 });
    expect(bars.find((b) => b.jobId === 'd')).toMatchObject({ start: 8, seconds: 12 });
  });

  it('never overlaps two bars on one lane', () => {
    const jobs = Array.from({ length: 30 }, (_, i) => job(`j${i}`, (i * 7) % 13, ((i * 7) % 13) + 1 + (i % 5)));
    const { bars } = assignLanes(jobs, 3, T0);
    for (const a of bars) for (const b of bars) if (a !== b && a.lane === b.lane) expect(a.start + a.seconds <= b.start + 1e-9 || b.start + b.seconds <= a.start + 1e-9).toBe(true);
  });

  it('opens a lane beyond the worker count when more jobs overlapped (workers raised mid-batch)', () => {
    const { lanes } = assignLanes([job('a', 0, 10), job('b', 1, 10), job('c', 2, 10)], 2, T0);
    expect(lanes).toBe(3);
  });

  it('jobs that failed at once, starting with real ones, take no extra lane', () => {
    const { lanes } = assignLanes([job('real1', 0, 10), job('real2', 0, 12), job('bad1', 0, 0), job('bad2', 0, 0)], 2, T0);
    expect(lanes).toBe(2);
  });

  it('lets a job start on a lane the moment the previous one ended', () => {
    const { bars, lanes } = assignLanes([job('a', 0, 5), job('b', 5, 9)], 1, T0);
    expect(lanes).toBe(1);
    expect(bars.map((b) => b.lane)).toEqual([0, 0]);
  });
});

describe('latestBatch', () => {
  it('keeps only the last run of work, split at idle gaps', () => {
    const jobs = [job('old1', 0, 10), job('old2', 0, 12), job('new1', 100, 110), job('new2', 108, 120), job('never', null, null, { state: 'queued' })];
    expect(latestBatch(jobs, T0 + 200_000).map((j) => j.id)).toEqual(['new1', 'new2']);
  });

  it('keeps a job started within the gap after the last end', () => {
    expect(latestBatch([job('a', 0, 10), job('b', 13, 20)], T0, 5).map((j) => j.id)).toEqual(['a', 'b']);
    expect(latestBatch([job('a', 0, 10), job('b', 16, 20)], T0, 5).map((j) => j.id)).toEqual(['b']);
  });
});

describe('timelineSvg', () => {
  it('draws one bar per job carrying its id, in its lane', () => {
    const report = batchReport(FOUR, { workers: 2, now: T0 })!;
    const svg = timelineSvg(report);
    const bars = [...svg.matchAll(/data-job-id="([^"]+)" data-lane="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(bars).toEqual([
      ['a', 0],
      ['b', 1],
      ['d', 1],
      ['c', 0],
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Worker 2');
    // Its accessible name must not match a loose search for the Workers input's label.
    expect(svg).toContain('aria-label="Timeline: 4 jobs in 2 lanes over 20.0 s"');
    expect(/aria-label="[^"]*workers/i.test(svg)).toBe(false);
  });

  it('escapes file names in the tooltips', () => {
    const report = batchReport([job('a', 0, 1, { sourceName: 'a <b> & "c".avi' })], { workers: 1, now: T0 })!;
    const svg = timelineSvg(report);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;.avi');
    expect(svg).not.toContain('<b>');
  });

  it('picks round tick steps', () => {
    expect(tickStep(20)).toBe(5);
    expect(tickStep(4)).toBe(1);
    expect(tickStep(600)).toBe(120);
  });
});

describe('batchReport: measured quality', () => {
  it('lists every done job that was scored, and the lowest by PSNR; Save JSON carries them', () => {
    const jobs = [
      job('a', 0, 10, { quality: { psnr: 43.81, ssim: 0.9815, frames: 12 } }),
      job('b', 0, 8, { quality: { psnr: 39.456, ssim: 0.97123, frames: 12 } }),
      job('c', 10, 16, { quality: { psnr: Infinity, ssim: 1, frames: 12 } }),
      job('d', 8, 20, { state: 'failed', quality: { psnr: 20, ssim: 0.5, frames: 12 } }),
      job('e', 8, 20),
    ];
    const report = batchReport(jobs, { workers: 2, now: T0 + 99_000 });
    expect(report?.quality.map((q) => q.jobId)).toEqual(['a', 'b', 'c']);
    expect(report?.lowestQuality).toMatchObject({ jobId: 'b', psnr: 39.456, sourceName: 'b.avi' });
    const saved = JSON.parse(reportJson(report!)) as { quality: { jobId: string; psnr: number | string; ssim: number }[] };
    expect(saved.quality).toEqual([
      { jobId: 'a', sourceName: 'a.avi', presetId: 'flv-320x240', psnr: 43.81, ssim: 0.9815, frames: 12 },
      { jobId: 'b', sourceName: 'b.avi', presetId: 'flv-320x240', psnr: 39.46, ssim: 0.9712, frames: 12 },
      { jobId: 'c', sourceName: 'c.avi', presetId: 'flv-320x240', psnr: 'identical', ssim: 1, frames: 12 },
    ]);
  });

  it('has no lowest when nothing was measured', () => {
    const report = batchReport(FOUR, { workers: 2, now: T0 + 99_000 });
    expect(report?.quality).toEqual([]);
    expect(report?.lowestQuality).toBeNull();
  });
});
