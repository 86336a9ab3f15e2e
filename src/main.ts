import { createBatch, deviceWorkerCount } from './api/create-batch';
import { DEFAULT_SPLIT_POLICY } from './jobs/segment-plan';
import { JobStore } from './storage/job-store';
import { SpeedStore } from './storage/speed-store';
import { SpeedLearner } from './jobs/speed-learner';
import { coreChecks, CustomPresetLibrary } from './jobs/custom-preset-library';
import { CustomPresetStore } from './storage/custom-preset-store';
import { AppView } from './ui/app-view';
import { UploadController } from './jobs/upload-controller';
import { UpdateBanner } from './ui/update-banner';
import { registerServiceWorker } from './service-worker';
import './ui/styles.css';

const coreLoads: number[] = [];
const workers = deviceWorkerCount();
// Tuning and test knob: ?splitAbove=SECONDS (sources longer than this are split across workers).
const params = new URLSearchParams(location.search);
// Test knob: ?quotaBytes=BYTES lowers the storage the page counts on below the browser's quota.
const quotaCap = Number(params.get('quotaBytes'));
const splitAbove = Number(params.get('splitAbove'));
// Test and benchmark knobs: ?engine=auto|ffmpeg (the Engine select's first value); ?webcodecsFail=throw (or 1)
// makes every WebCodecs encode throw after its first progress, ?webcodecsFail=stall makes it hang there
// (the fallback paths; a hang is then called after 4 s of silence instead of 30 s).
const engineMode = params.get('engine') === 'ffmpeg' ? 'ffmpeg' : 'auto';
const faultKnob = params.get('webcodecsFail');
const webcodecsFault = faultKnob === 'stall' ? 'stall' : faultKnob === 'throw' || faultKnob === '1' ? 'throw' : undefined;
// Test knob: ?holdSegment=N makes segment N of a split job wait, so a test can reload with the other segments finished.
const holdSegment = Number(params.get('holdSegment'));
// Pools, store, scratch and budget are wired where the library API wires its own (src/api/create-batch.ts);
// scratch left by closed or crashed tabs is removed there, before any job runs.
const { batch, store, probePool } = await createBatch({
  workers,
  onCoreLoaded: ({ loadMs }) => coreLoads.push(loadMs),
  quotaBytes: quotaCap > 0 ? quotaCap : null,
  engineMode,
  ...(webcodecsFault ? { webcodecsFault } : {}),
  ...(webcodecsFault === 'stall' ? { webcodecsStallMs: 4_000 } : {}),
  // Test knob: ?truncateOutputs=1 cuts every output short before its check (the verification path).
  ...(params.get('truncateOutputs') === '1' ? { truncateOutputs: true } : {}),
  // Issue 11: queued and running jobs are kept, so a reload brings them back interrupted.
  jobStore: new JobStore(),
  ...(Number.isInteger(holdSegment) && holdSegment > 0 ? { holdSegment } : {}),
  ...(splitAbove > 0 ? { splitPolicy: { ...DEFAULT_SPLIT_POLICY, splitAboveSec: splitAbove, minSegmentSec: Math.min(10, splitAbove / 2) } } : {}),
});
// Test and tuning knob: ?multipartThreshold=BYTES (S3 parts are at least 5 MiB).
const threshold = Number(params.get('multipartThreshold'));
const uploads = new UploadController(batch, store, Number.isFinite(threshold) && threshold > 0 ? { multipartThreshold: threshold } : {});
const root = document.getElementById('app');
if (!root) throw new Error('index.html must have an element with id "app".');
const speeds = new SpeedLearner(batch, new SpeedStore(), splitAbove > 0 ? splitAbove : DEFAULT_SPLIT_POLICY.splitAboveSec);
// Your own presets (issue 9, part 2): checked against the core's own lists and dry-run in the probe worker.
const customPresets = new CustomPresetLibrary(new CustomPresetStore(), { ...coreChecks(probePool), learntSpeed: (id) => speeds.learntSpeed(id) });
new AppView(root, batch, uploads, speeds, customPresets);
// Offline (issue 11): the service worker precaches the app; a waiting deployment is applied only on the person's click, never under a running batch.
const applyUpdate = registerServiceWorker({ show: () => updateBanner.show(), showTakenOver: () => updateBanner.showTakenOver() });
const updateBanner = new UpdateBanner(batch, applyUpdate);
root.prepend(updateBanner.element);

// Read by the benchmark: core load times (ms) and each job's timing.
Object.assign(window, {
  ffbatchStats: {
    coreLoads,
    jobs: () =>
      batch.listJobs().map(({ id, sourceName, presetId, state, startedAt, endedAt, error, engine, outputSize }) => ({ id, sourceName, presetId, state, startedAt, endedAt, error, engine, outputSize })),
  },
});

void speeds.start();
// Custom presets first: restored outputs and interrupted jobs may name them.
void customPresets
  .load()
  .catch(() => {})
  .then(() => batch.restore())
  .then(() => uploads.resumeInterrupted());
