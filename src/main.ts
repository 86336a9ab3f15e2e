import { Batch } from './jobs/batch';
import { DEFAULT_SPLIT_POLICY } from './jobs/segment-plan';
import { defaultPoolSize, WorkerPool } from './pool/worker-pool';
import { OutputStore } from './storage/output-store';
import { AppView } from './ui/app-view';
import { UploadController } from './jobs/upload-controller';
import './ui/styles.css';

const createWorker = (): Worker => new Worker(new URL('../workers/ffmpeg.worker.ts', import.meta.url), { type: 'module', name: 'ffmpeg' });

const coreLoads: number[] = [];
const workers = defaultPoolSize(navigator.hardwareConcurrency, (navigator as Navigator & { deviceMemory?: number }).deviceMemory);
const store = new OutputStore();
const encodePool = new WorkerPool({ size: workers, createWorker, onCoreLoaded: (ms) => coreLoads.push(ms) });
const probePool = new WorkerPool({ size: 1, maxTasksPerWorker: 50, createWorker, onCoreLoaded: (ms) => coreLoads.push(ms) });
// Tuning and test knob: ?splitAbove=SECONDS (sources longer than this are split across workers).
const params = new URLSearchParams(location.search);
const splitAbove = Number(params.get('splitAbove'));
const batch = new Batch({
  encodePool,
  probePool,
  store,
  workers,
  ...(splitAbove > 0 ? { splitPolicy: { ...DEFAULT_SPLIT_POLICY, splitAboveSec: splitAbove, minSegmentSec: Math.min(10, splitAbove / 2) } } : {}),
});
// Test and tuning knob: ?multipartThreshold=BYTES (S3 parts are at least 5 MiB).
const threshold = Number(params.get('multipartThreshold'));
const uploads = new UploadController(batch, store, Number.isFinite(threshold) && threshold > 0 ? { multipartThreshold: threshold } : {});
const root = document.getElementById('app');
if (!root) throw new Error('index.html must have an element with id "app".');
new AppView(root, batch, uploads);

// Read by the benchmark: core load times (ms) and each job's timing.
Object.assign(window, {
  ffbatchStats: {
    coreLoads,
    jobs: () => batch.listJobs().map(({ id, sourceName, presetId, state, startedAt, endedAt, error }) => ({ id, sourceName, presetId, state, startedAt, endedAt, error })),
  },
});

void batch.restore().then(() => uploads.resumeInterrupted());
void store.persist();
