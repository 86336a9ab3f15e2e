/**
 * The public API of a whole batch page (issue 10: the ffbatch page reaches the engine only
 * through the package's public entry). `createEncoder` is for a site that converts a few
 * files in code; `openBatchSession` is for a page that lets a person build a batch: sources
 * probed as they are added, jobs that survive a reload and resume, outputs kept and zipped,
 * uploads, learnt speeds, presets of one's own. The ffbatch page is built on it and on
 * nothing else (an ESLint rule keeps src/ui and src/main.ts to the public entry).
 */
import type { AddedFile, Batch, EncodeOptions } from '../session/batch';
import { coreChecks, CustomPresetLibrary } from '../jobs/custom-preset-library';
import { DEFAULT_SPLIT_POLICY } from '../jobs/segment-plan';
import { SpeedLearner } from '../session/speed-learner';
import { NO_HOOKS, type Hooks } from '../jobs/hooks';
import { UploadController } from '../session/upload-controller';
import { CustomPresetStore } from '../storage/custom-preset-store';
import { JobStore } from '../storage/job-store';
import { SpeedStore } from '../storage/speed-store';
import { checkCommonOptions, createBatch, deviceWorkerCount, workerAt, type BatchOptions } from './create-batch';

export type { AddedFile, EncodeOptions };
export type { BatchEvent } from '../session/batch-events';
export type { Job as BatchJob, JobState as BatchJobState } from '../jobs/job';
export type { Source as BatchSource } from '../jobs/source';
export type { SourceInfo } from '../presets/source-info';
export type { CustomPreset } from '../presets/custom-preset';
export type { CustomPresetInput as SavedPresetInput, FormPresetInput } from '../jobs/custom-preset-library';
export type { PresetChoices, FormFormat, FormSound } from '../presets/form-preset';
export type { StorageUsage } from '../storage/output-store';

/**
 * The batch of a session: its sources and jobs, and the commands a page sends. Every
 * change (a job's progress, a probe's result) is told to `subscribe`'s listeners as a
 * {@link BatchEvent}: `changed` (coalesced: what a page redraws on), `job-changed`, `output-stored`.
 *
 * @example
 * ```ts
 * const { batch } = await openBatchSession();
 * batch.subscribe(() => render(batch.listSources(), batch.listJobs()));
 * batch.addFiles([...input.files].map((file) => ({ file, displayName: file.name })));
 * batch.encode(['mp4-h264-720p', 'mp3-audio']);
 * ```
 */
export type SessionBatch = Pick<
  Batch,
  | 'subscribe'
  | 'subscribeJobs'
  | 'workers'
  | 'setWorkers'
  | 'engineMode'
  | 'setEngineMode'
  | 'outputsOnDisk'
  | 'estimateOutputs'
  | 'listSources'
  | 'listJobs'
  | 'setEdits'
  | 'applyEditsToAll'
  | 'setJobEdits'
  | 'thumbnails'
  | 'detectBars'
  | 'outputUrl'
  | 'outputLink'
  | 'addFiles'
  | 'removeSource'
  | 'newJobCount'
  | 'encode'
  | 'cancel'
  | 'deleteJob'
  | 'deleteAllOutputs'
  | 'zipAllOutputs'
  | 'usage'
  | 'resume'
  | 'resumeNote'
  | 'otherTabNote'
  | 'interruptedCount'
  | 'compare'
>;

/**
 * Uploads of finished outputs to a bucket through a signing service (`examples/presign-server`),
 * one by one, all at once, or each as it finishes; progress and failures show on the job.
 *
 * @example
 * ```ts
 * session.uploads.setEndpoint('https://sign.example.com');
 * session.uploads.setUploadWhenDone(true);
 * ```
 */
export type SessionUploads = Pick<UploadController, 'endpoint' | 'uploadWhenDone' | 'setEndpoint' | 'setUploadWhenDone' | 'uploadAll' | 'upload' | 'cancelUpload'>;

/**
 * Each preset's encode speed in × real time: learnt from this machine's finished jobs
 * (kept in IndexedDB), else a default; it orders the queue and makes the page's estimates.
 *
 * @example
 * ```ts
 * const { speed, learnt } = session.speeds.speedOf('mp3-audio');
 * ```
 */
export type SessionSpeeds = Pick<SpeedLearner, 'speedOf' | 'learntSpeed'>;

/**
 * Presets of one's own, kept in IndexedDB, checked against the core's own lists and
 * dry-run before they are saved; exported and imported as JSON.
 *
 * @example
 * ```ts
 * const preset = await session.customPresets.save({ name: 'Small 360p', container: 'mp4', argsText: '-c:v libx264 -crf 28 -vf scale=-2:360 -c:a aac' });
 * session.batch.encode([preset.id]);
 * ```
 */
export type SessionCustomPresets = Pick<CustomPresetLibrary, 'subscribe' | 'list' | 'get' | 'save' | 'saveChoices' | 'delete' | 'exportJson' | 'importJson'>;

/**
 * Options of {@link openBatchSession}. The page's address knobs (`?engine=`, `?quotaBytes=`,
 * `?splitAbove=`, …) land here; every option has a default that suits a page.
 *
 * @example
 * ```ts
 * await openBatchSession({ workers: 2, engine: 'ffmpeg' });
 * ```
 */
export interface BatchSessionOptions extends Pick<BatchOptions, 'workers' | 'quotaBytes' | 'createWorker'> {
  /** Where `ffmpeg.worker.js` and the core's `assets/` are served from, as for `createEncoder`; default next to the module. */
  assetsURL?: string | URL;
  /** Prefix of the IndexedDB databases (outputs, jobs, speeds, presets of one's own); default `ffbatch`, the page's own. */
  storeName?: string;
  /** `'auto'` (default): the browser's own encoders where they can, else ffmpeg.wasm; `'ffmpeg'`: ffmpeg.wasm only. */
  engine?: 'auto' | 'ffmpeg';
  /** Keep queued and running jobs in IndexedDB, so a reload brings them back interrupted, to resume; default true. */
  persistJobs?: boolean;
  /** Sources longer than this many seconds are split across workers; default 60. */
  splitAboveSec?: number;
  /** Outputs larger than this go up in multipart uploads; default 64 MiB (S3 parts are at least 5 MiB). */
  multipartThreshold?: number;
}

/**
 * A batch page's model: see {@link openBatchSession}.
 *
 * @example
 * ```ts
 * const session = await openBatchSession();
 * await session.start();
 * ```
 */
export interface BatchSession {
  readonly batch: SessionBatch;
  readonly uploads: SessionUploads;
  readonly speeds: SessionSpeeds;
  readonly customPresets: SessionCustomPresets;
  /** Each core load's time in ms, in order (the benchmark reads them). */
  readonly coreLoads: readonly number[];
  /**
   * Loads what was kept: learnt speeds, presets of one's own, then stored outputs and
   * interrupted jobs (after the presets, which they may name), then resumes interrupted uploads.
   */
  start(): Promise<void>;
  /**
   * Cancels every unfinished job and ends every worker (the page never calls it: closing the
   * tab leaves its unfinished jobs to come back interrupted).
   */
  close(): Promise<void>;
}

/**
 * Opens the batch session a page is built on: the encode and probe workers (started on the
 * first job), the output store, OPFS scratch (what closed or crashed tabs left is removed
 * before it resolves), the storage budget, the job store, uploads, speeds and presets of
 * one's own. One per page: sessions on one origin share the stored outputs and jobs.
 * `hooks` is internal: the ffbatch page's own test and benchmark knobs (src/main.ts); a site leaves it out.
 *
 * @example
 * ```ts
 * import { openBatchSession } from 'ffbatch';
 * const session = await openBatchSession({ engine: 'auto' });
 * await session.start();
 * session.batch.subscribe(() => console.log(session.batch.listJobs().map((job) => job.state)));
 * ```
 */
export async function openBatchSession(options: BatchSessionOptions = {}, hooks: Hooks = NO_HOOKS): Promise<BatchSession> {
  checkCommonOptions(options);
  const createWorker = options.createWorker ?? (options.assetsURL !== undefined ? workerAt(options.assetsURL) : undefined);
  const coreLoads: number[] = [];
  const splitAboveSec = options.splitAboveSec ?? DEFAULT_SPLIT_POLICY.splitAboveSec;
  const { batch, store, encodePool, probePool } = await createBatch({
    workers: options.workers ?? deviceWorkerCount(),
    onCoreLoaded: ({ loadMs }) => coreLoads.push(loadMs),
    quotaBytes: options.quotaBytes ?? null,
    engineMode: options.engine ?? 'auto',
    ...(createWorker ? { createWorker } : {}),
    ...(options.storeName ? { storeName: options.storeName } : {}),
    hooks,
    ...(options.persistJobs === false ? {} : { jobStore: new JobStore(options.storeName) }),
    ...(options.splitAboveSec ? { splitPolicy: { ...DEFAULT_SPLIT_POLICY, splitAboveSec, minSegmentSec: Math.min(DEFAULT_SPLIT_POLICY.minSegmentSec, splitAboveSec / 2) } } : {}),
  });
  const uploads = new UploadController(batch, store, options.multipartThreshold ? { multipartThreshold: options.multipartThreshold } : {});
  const speeds = new SpeedLearner(batch, new SpeedStore(options.storeName), splitAboveSec);
  const customPresets = new CustomPresetLibrary(new CustomPresetStore(options.storeName), { ...coreChecks(probePool), learntSpeed: (id) => speeds.learntSpeed(id) });
  return {
    batch,
    uploads,
    speeds,
    customPresets,
    coreLoads,
    async start() {
      void speeds.start();
      await customPresets.load().catch(() => {});
      await batch.restore();
      uploads.resumeInterrupted();
    },
    async close() {
      const unfinished = (): boolean => batch.listJobs().some((job) => job.state === 'queued' || job.state === 'running');
      for (const job of batch.listJobs()) if (job.state === 'queued' || job.state === 'running') batch.cancel(job.id);
      // A running job is canceled once its worker has ended; wait for that before the pools go.
      if (unfinished()) {
        await new Promise<void>((resolve) => {
          const stop = batch.subscribe(() => {
            if (unfinished()) return;
            stop();
            resolve();
          });
        });
      }
      encodePool.terminateAll();
      probePool.terminateAll();
    },
  };
}
