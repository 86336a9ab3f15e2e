/**
 * The batch report's figures: pure functions over job times (no DOM, no storage).
 * Times are epoch milliseconds as jobs carry them; figures are seconds.
 */
import { CLOUD_PRICE, type CloudPrice } from './cloud-price';

/**
 * What the report needs of a job (a session's jobs have these fields).
 *
 * @example
 * ```ts
 * const jobs: ReportJob[] = batch.listJobs().map((job) => ({ ...job, mediaSeconds: 10, sourceBytes: null }));
 * ```
 */
export interface ReportJob {
  id: string;
  sourceId: string;
  sourceName: string;
  presetId: string;
  /** The job's state: `queued`, `running`, `done`, `failed`, `canceled` (others are taken as ended). */
  state: string;
  startedAt: number | null;
  endedAt: number | null;
  /** Workers the job held at once (a split job holds several); default 1. */
  slots?: number;
  /** Probed duration of the source, when known. */
  mediaSeconds: number | null;
  /** Size of the source file in bytes, when known. */
  sourceBytes: number | null;
  /** Measured PSNR (dB) and SSIM of the output against its source, when measured. */
  quality?: { psnr: number; ssim: number; frames: number } | null;
}

/** One scored output of the batch, for the report's quality lines. */
export interface ReportQuality {
  jobId: string;
  sourceName: string;
  presetId: string;
  psnr: number;
  ssim: number;
  frames: number;
}

/** One bar of the timeline: a job (or one worker's share of a split job) on one lane. */
export interface TimelineBar {
  jobId: string;
  lane: number;
  /** Seconds from the batch's start. */
  start: number;
  seconds: number;
  sourceName: string;
  presetId: string;
  state: string;
}

/**
 * The batch report's figures (seconds, bytes, currency) and its timeline's bars; made by {@link batchReport}.
 *
 * @example
 * ```ts
 * if (report) console.log(report.wallSeconds, report.speedup, report.bars.length);
 * ```
 */
export interface BatchReport {
  /** Epoch ms of the first start. */
  startedAt: number;
  /** Epoch ms of the last end (or `now` while a job still runs). */
  endedAt: number;
  running: boolean;
  wallSeconds: number;
  /** Summed encode time: what one worker would have needed. */
  encodeSeconds: number;
  /** encodeSeconds ÷ wallSeconds (0 when no time has passed). */
  speedup: number;
  workers: number;
  jobs: number;
  doneJobs: number;
  /** Probed seconds of media converted by the jobs that are done. */
  mediaSeconds: number;
  /** mediaSeconds ÷ wallSeconds. */
  timesRealTime: number;
  cpuHours: number;
  cloud: { pricePerHour: number; vcpus: number; machine: string; source: string; cost: number };
  /** Bytes of the sources that a server-side encoder would have had to receive. */
  bytesNotUploaded: number;
  lanes: number;
  bars: TimelineBar[];
  /** Every done job's measured quality, and the lowest (by PSNR) of them; empty / null when none was measured. */
  quality: ReportQuality[];
  lowestQuality: ReportQuality | null;
}

export interface ReportOptions {
  /** Workers the batch was given (the chart has at least this many lanes). */
  workers: number;
  /** Epoch ms, the end of jobs still running. */
  now: number;
  /** Hourly price of the rented machine; default CLOUD_PRICE. */
  price?: CloudPrice;
}

/** Jobs that took a worker: started, with an end (running jobs end at `now`). */
function ran(job: ReportJob): job is ReportJob & { startedAt: number } {
  return job.startedAt !== null && job.state !== 'queued';
}

function endOf(job: ReportJob & { startedAt: number }, now: number): number {
  return job.state === 'running' || job.endedAt === null ? Math.max(now, job.startedAt) : Math.max(job.endedAt, job.startedAt);
}

/**
 * The jobs of the latest batch: jobs that ran, grouped into runs of work with no idle gap
 * longer than `gapSeconds` between them (an Encode pressed while a batch runs joins it).
 *
 * @example
 * ```ts
 * const report = batchReport(latestBatch(jobs, Date.now()), { workers: 2, now: Date.now() });
 * ```
 */
export function latestBatch<J extends ReportJob>(jobs: readonly J[], now: number, gapSeconds = 5): J[] {
  const started = jobs.filter((j): j is J & { startedAt: number } => ran(j)).sort((a, b) => a.startedAt - b.startedAt);
  let group: J[] = [];
  let groupEnd = -Infinity;
  for (const job of started) {
    if (job.startedAt > groupEnd + gapSeconds * 1000) group = [];
    group.push(job);
    groupEnd = Math.max(groupEnd, endOf(job, now));
  }
  return group;
}

/**
 * Which worker lane each job ran on, derived from the times alone: in order of start,
 * each job takes the lowest lanes free at its start (as many as its slots). A job that
 * finds none free opens a new lane (the worker count was raised during the batch).
 */
export function assignLanes(jobs: readonly ReportJob[], workers: number, now: number): { bars: TimelineBar[]; lanes: number } {
  // Among jobs that start together, one that failed at once (no time on a worker) goes first:
  // it frees its lane at that instant instead of pushing a real job onto a new lane.
  const instant = (job: ReportJob & { startedAt: number }): number => (endOf(job, now) === job.startedAt ? 0 : 1);
  const started = jobs.filter(ran).sort((a, b) => a.startedAt - b.startedAt || instant(a) - instant(b));
  const origin = started[0]?.startedAt ?? 0;
  const laneFreeAt: number[] = Array.from({ length: Math.max(1, workers) }, () => -Infinity);
  const bars: TimelineBar[] = [];
  for (const job of started) {
    const end = endOf(job, now);
    const wanted = Math.max(1, Math.floor(job.slots ?? 1));
    const taken: number[] = [];
    for (let lane = 0; lane < laneFreeAt.length && taken.length < wanted; lane++) {
      if ((laneFreeAt[lane] ?? -Infinity) <= job.startedAt) taken.push(lane);
    }
    while (taken.length < wanted) {
      laneFreeAt.push(-Infinity);
      taken.push(laneFreeAt.length - 1);
    }
    for (const lane of taken) {
      laneFreeAt[lane] = end;
      bars.push({
        jobId: job.id,
        lane,
        start: (job.startedAt - origin) / 1000,
        seconds: (end - job.startedAt) / 1000,
        sourceName: job.sourceName,
        presetId: job.presetId,
        state: job.state,
      });
    }
  }
  return { bars, lanes: laneFreeAt.length };
}

/**
 * The report of a set of jobs (usually `latestBatch(...)`), or null when none has started:
 * wall time, encode time, speed-up over one worker, media per wall second, cloud cost, lanes.
 *
 * @example
 * ```ts
 * const report = batchReport(jobs, { workers: 2, now: Date.now() });
 * if (report) console.log(`${report.speedup.toFixed(2)}× one worker`);
 * ```
 */
export function batchReport(jobs: readonly ReportJob[], options: ReportOptions): BatchReport | null {
  const { now } = options;
  const started = jobs.filter(ran);
  if (started.length === 0) return null;
  const price = options.price ?? CLOUD_PRICE;
  const startedAt = Math.min(...started.map((j) => j.startedAt));
  const endedAt = Math.max(...started.map((j) => endOf(j, now)));
  const wallSeconds = (endedAt - startedAt) / 1000;
  const encodeSeconds = started.reduce((sum, j) => sum + (Math.max(1, Math.floor(j.slots ?? 1)) * (endOf(j, now) - j.startedAt)) / 1000, 0);
  const done = started.filter((j) => j.state === 'done');
  const mediaSeconds = done.reduce((sum, j) => sum + (j.mediaSeconds ?? 0), 0);
  const sources = new Map<string, number>();
  for (const job of done) if (job.sourceBytes !== null) sources.set(job.sourceId || job.sourceName, job.sourceBytes);
  const cpuHours = encodeSeconds / 3600;
  const { bars, lanes } = assignLanes(started, options.workers, now);
  const quality: ReportQuality[] = done.flatMap((j) =>
    j.quality ? [{ jobId: j.id, sourceName: j.sourceName, presetId: j.presetId, psnr: j.quality.psnr, ssim: j.quality.ssim, frames: j.quality.frames }] : [],
  );
  const lowestQuality = quality.reduce<ReportQuality | null>((low, q) => (low === null || q.psnr < low.psnr ? q : low), null);
  return {
    startedAt,
    endedAt,
    running: started.some((j) => j.state === 'running'),
    wallSeconds,
    encodeSeconds,
    speedup: wallSeconds > 0 ? encodeSeconds / wallSeconds : 0,
    workers: Math.max(1, options.workers),
    jobs: started.length,
    doneJobs: done.length,
    mediaSeconds,
    timesRealTime: wallSeconds > 0 ? mediaSeconds / wallSeconds : 0,
    cpuHours,
    // One single-threaded encode keeps one vCPU busy: the rented machine runs `vcpus` of them at once.
    cloud: { ...price, cost: (cpuHours / price.vcpus) * price.pricePerHour },
    bytesNotUploaded: [...sources.values()].reduce((a, b) => a + b, 0),
    lanes,
    bars,
    quality,
    lowestQuality,
  };
}

/**
 * The report as a JSON document to save (figures rounded to what a person reads).
 *
 * @example
 * ```ts
 * const file = new Blob([reportJson(report)], { type: 'application/json' });
 * ```
 */
export function reportJson(report: BatchReport): string {
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return JSON.stringify(
    {
      generator: 'ffbatch',
      startedAt: new Date(report.startedAt).toISOString(),
      endedAt: new Date(report.endedAt).toISOString(),
      workers: report.workers,
      jobs: report.jobs,
      doneJobs: report.doneJobs,
      wallSeconds: r3(report.wallSeconds),
      encodeSeconds: r3(report.encodeSeconds),
      speedup: r3(report.speedup),
      mediaSeconds: r3(report.mediaSeconds),
      timesRealTime: r3(report.timesRealTime),
      cpuHours: Math.round(report.cpuHours * 1e6) / 1e6,
      cloud: { ...report.cloud, cost: Math.round(report.cloud.cost * 1e6) / 1e6 },
      costHere: 0,
      bytesNotUploaded: report.bytesNotUploaded,
      timeline: report.bars.map((b) => ({ ...b, start: r3(b.start), seconds: r3(b.seconds) })),
      // JSON has no Infinity: an output identical to its source (a stream copy) says so in words.
      quality: report.quality.map((q) => ({ ...q, psnr: Number.isFinite(q.psnr) ? Math.round(q.psnr * 100) / 100 : 'identical', ssim: Math.round(q.ssim * 10000) / 10000 })),
    },
    null,
    2,
  );
}
