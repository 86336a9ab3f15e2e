/**
 * The one place that wires a Batch: worker pools, output store, OPFS scratch, storage budget.
 * The page (src/main.ts) and the library API (createEncoder) both build theirs here.
 */
import { Batch, type BatchDeps } from '../session/batch';
import { defaultPoolSize, WorkerPool, type CompiledCore } from '../pool/worker-pool';
import { OutputStore } from '../storage/output-store';
import { ScratchSpace } from '../storage/scratch-space';
import { SegmentKeeper } from '../storage/segment-keeper';
import { inMemoryLimit } from '../storage/private-window';
import { StorageBudget } from '../storage/storage-budget';
import { TabPresence } from '../storage/tab-presence';
import type { LoadResult } from '../../workers/protocol';

/** Options of {@link createBatch}; every one has a default that suits a page. */
export interface BatchOptions extends Pick<BatchDeps, 'engineMode' | 'hooks' | 'jobStore' | 'splitPolicy' | 'stallTimeoutMs' | 'webcodecsAtOnce'> {
  /** Encode workers; default one per core, fewer on devices that report little memory. */
  workers?: number;
  /** Makes one ffmpeg worker; default the bundled `workers/ffmpeg.worker.ts`. */
  createWorker?: () => Worker;
  /** Told of each core load (the benchmark reads the times). */
  onCoreLoaded?: (load: LoadResult) => void;
  /** A lower quota than the browser's, in bytes (the page's `?quotaBytes=`); default none. */
  quotaBytes?: number | null;
  /** Prefix of the IndexedDB databases holding the outputs; default `ffbatch`. */
  storeName?: string;
}

/** A Batch and the parts it was built from (the page hands some of them to other models). */
export interface BatchParts {
  batch: Batch;
  encodePool: WorkerPool;
  probePool: WorkerPool;
  store: OutputStore;
  scratch: ScratchSpace | null;
}

/** The bundled ffmpeg worker, found next to this module (Vite bundles it as a chunk of its own). */
export function bundledWorker(): Worker {
  return new Worker(new URL('../../workers/ffmpeg.worker.ts', import.meta.url), { type: 'module', name: 'ffmpeg' });
}

/** Where the worker is under `assetsURL` (the library build names it `ffmpeg.worker.js`). */
export function workerURLAt(assetsURL: string | URL): URL {
  const base = new URL(String(assetsURL), typeof location === 'undefined' ? undefined : location.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL('ffmpeg.worker.js', base);
}

/** The worker served from `assetsURL`. */
export function workerAt(assetsURL: string | URL): () => Worker {
  const url = workerURLAt(assetsURL);
  return () => new Worker(url, { type: 'module', name: 'ffmpeg' });
}

/** The checks of the options createEncoder and openBatchSession share: a TypeError naming the field. */
export function checkCommonOptions(options: { workers?: number; engine?: string; assetsURL?: unknown }): void {
  if (options.workers !== undefined && (!Number.isInteger(options.workers) || options.workers < 1)) {
    throw new TypeError(`options.workers, when provided, must be a whole number of at least 1 (got ${String(options.workers)}).`);
  }
  if (options.engine !== undefined && options.engine !== 'auto' && options.engine !== 'ffmpeg') {
    throw new TypeError(`options.engine, when provided, must be 'auto' or 'ffmpeg' (got ${JSON.stringify(options.engine)}).`);
  }
  if (options.assetsURL !== undefined && typeof options.assetsURL !== 'string' && !(options.assetsURL instanceof URL)) {
    throw new TypeError('options.assetsURL, when provided, must be a string or a URL.');
  }
}

/** The number of encode workers that suits this device (one per core, fewer with little memory). */
export function deviceWorkerCount(): number {
  if (typeof navigator === 'undefined') return 1;
  return defaultPoolSize(navigator.hardwareConcurrency, (navigator as Navigator & { deviceMemory?: number }).deviceMemory);
}

/**
 * Builds a Batch with its pools and storage. Scratch left by closed or crashed tabs is
 * removed before it resolves, so before any job runs.
 */
export async function createBatch(options: BatchOptions = {}): Promise<BatchParts> {
  const workers = options.workers ?? deviceWorkerCount();
  const createWorker = options.createWorker ?? bundledWorker;
  const store = new OutputStore(options.storeName);
  // Filled once the scratch is open; a core that loads sooner is told to the batch when it exists.
  const made: { batch?: Batch; scratch: ScratchSpace | null } = { scratch: null };
  const onCoreLoaded = (load: LoadResult): void => {
    options.onCoreLoaded?.(load);
    made.batch?.setOutputsOnDisk(load.outputsOnDisk && made.scratch !== null);
  };
  // One compile of the core for the page: both pools' workers instantiate the same module.
  const compiledCore: CompiledCore = { module: null };
  const encodePool = new WorkerPool({ size: workers, createWorker, onCoreLoaded, compiledCore });
  const probePool = new WorkerPool({ size: 1, maxTasksPerWorker: 50, createWorker, onCoreLoaded, compiledCore });
  const presence = await TabPresence.open();
  const scratch = await ScratchSpace.open(presence, () => store.copiesFiles());
  made.scratch = scratch;
  const quota = options.quotaBytes ?? null;
  // A private window holds outputs in memory: the copy probe tells it, the machine's memory bounds it.
  const inMemory = async (): Promise<number | null> => {
    if (!scratch) return null;
    const deviceMemoryGiB = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
    return inMemoryLimit({ hasOpfs: true, copiesFiles: scratch.storeCopiesFiles, deviceMemoryGiB, quotaBytes: (await store.estimate()).quotaBytes });
  };
  const budget = new StorageBudget(() => store.estimate(), quota !== null && quota > 0 ? quota : null, inMemory);
  const batch = new Batch({
    encodePool,
    probePool,
    store,
    scratch,
    budget,
    workers,
    ...(options.engineMode ? { engineMode: options.engineMode } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    ...(options.jobStore ? { jobStore: options.jobStore } : {}),
    ...(presence ? { presence } : {}),
    // A split job's finished segments outlive a reload only where jobs do (job store) and outputs go to disk (OPFS).
    ...(options.jobStore && scratch ? { segmentKeeper: new SegmentKeeper(options.jobStore) } : {}),
    ...(options.splitPolicy ? { splitPolicy: options.splitPolicy } : {}),
    ...(options.stallTimeoutMs ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
    ...(options.webcodecsAtOnce ? { webcodecsAtOnce: options.webcodecsAtOnce } : {}),
  });
  made.batch = batch;
  return { batch, encodePool, probePool, store, scratch };
}
