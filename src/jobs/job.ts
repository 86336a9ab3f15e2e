import type { Edits } from '../presets/edits';
import type { PresetId } from '../presets/presets';
import type { OutputQuality } from './score-output';

/**
 * `interrupted`: queued or running when the page was closed or reloaded; it waits for its file (never run by the scheduler).
 *
 * @example
 * ```ts
 * const waiting = batch.listJobs().filter((job) => job.state === 'interrupted').length;
 * ```
 */
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'canceled' | 'interrupted';

/**
 * What an `interrupted` job says of itself.
 *
 * @example
 * ```ts
 * if (job.state === 'interrupted') note.textContent = INTERRUPTED_SENTENCE;
 * ```
 */
export const INTERRUPTED_SENTENCE = 'The page was closed or reloaded before this job finished.';

/**
 * What a job says when its output's record was kept but its bytes are gone from storage.
 *
 * @example
 * ```ts
 * const lost = batch.listJobs().filter((job) => job.error === MISSING_OUTPUT_SENTENCE);
 * ```
 */
export const MISSING_OUTPUT_SENTENCE = "This output's record was kept, but its file is gone from the browser's storage (the browser may have cleared it). Encode it again, or delete this row.";

export type UploadState = 'uploading' | 'uploaded' | 'upload-failed';

/**
 * One (source × preset) encode, as the page shows it.
 *
 * @example
 * ```ts
 * for (const job of batch.listJobs()) console.log(job.outputName, job.state, Math.round(job.progress * 100));
 * ```
 */
export interface Job {
  id: string;
  sourceId: string;
  sourceName: string;
  presetId: PresetId;
  outputName: string;
  state: JobState;
  /** 0..1, from ffmpeg's `time=` against the probed duration. */
  progress: number;
  /** Times real time, as ffmpeg reports it. */
  speed: number | null;
  /** Seconds left, estimated from the progress so far. */
  etaSec: number | null;
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Scheduling weight: probed seconds × the preset's relative cost. Larger runs first. */
  cost: number;
  /** Why it failed, in a sentence a person understands. */
  error: string | null;
  /** ffmpeg's whole log for this job. */
  log: string[];
  /** Size in bytes of the stored output once done. */
  outputSize: number | null;
  upload: UploadState | null;
  uploadProgress: number | null;
  /** Bytes per second of the upload under way, averaged since it started. */
  uploadSpeed: number | null;
  uploadError: string | null;
  uploadLocation: string | null;
  /** The engine that made (or is making) the output; null until the job starts. */
  engine: 'webcodecs' | 'ffmpeg' | null;
  /** Why the job is on ffmpeg.wasm rather than WebCodecs (the router's reason or the fallback's), else null. */
  engineNote: string | null;
  /** The output was probed and holds what the preset promises. */
  verified: boolean;
  /** What a running job waits for before it can go on (the fast route's encoder, room in storage), else null. */
  waitingFor: string | null;
  /** PSNR/SSIM of the output against its source, once measured (video outputs); null before or where it could not be. */
  quality: OutputQuality | null;
  /** Workers the job held at once: the segments of a split job, else 1 (the report draws a bar for each). */
  slots: number;
  /** What the person asked of the source for this job (trim, crop, turn, tracks); absent: the whole file as it is. */
  edits?: Edits;
}

/** What a job is named by; everything else starts blank (see newJob). */
export type JobIdentity = Pick<Job, 'id' | 'sourceId' | 'sourceName' | 'presetId' | 'outputName' | 'state' | 'queuedAt'>;

/** A job with nothing run yet: no progress, times, output, upload or engine. `extra` overrides. */
export function newJob(identity: JobIdentity, extra: Partial<Job> = {}): Job {
  return {
    ...identity,
    progress: 0,
    speed: null,
    etaSec: null,
    startedAt: null,
    endedAt: null,
    cost: 0,
    error: null,
    log: [],
    outputSize: null,
    upload: null,
    uploadProgress: null,
    uploadSpeed: null,
    uploadError: null,
    uploadLocation: null,
    engine: null,
    engineNote: null,
    verified: false,
    waitingFor: null,
    quality: null,
    slots: 1,
    ...extra,
  };
}

export function isFinished(job: Pick<Job, 'state'>): boolean {
  return job.state === 'done' || job.state === 'failed' || job.state === 'canceled';
}

/** Estimated seconds left, from the time spent so far and the progress made. */
export function estimateRemaining(elapsedSec: number, progress: number): number | null {
  if (progress <= 0.01 || elapsedSec <= 0.5) return null;
  return Math.max(0, (elapsedSec * (1 - progress)) / progress);
}
