// The page reaches the engine only through the package's public entry (issue 10; ESLint keeps it so).
import { openBatchSession } from './index';
import { AppView } from './ui/app-view';
import { UpdateBanner } from './ui/update-banner';
import { registerServiceWorker } from './service-worker';
import { receiveSystemFiles } from './pwa/system-files';
import './ui/styles.css';

const params = new URLSearchParams(location.search);
/** A positive number from the address, or undefined. */
function knob(name: string): number | undefined {
  const value = Number(params.get(name));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
// Test and benchmark knobs: ?engine=auto|ffmpeg (the Engine select's first value); ?webcodecsFail=throw (or 1)
// makes every WebCodecs encode throw after its first progress, ?webcodecsFail=stall makes it hang there
// (the fallback paths; a hang is then called after 4 s of silence instead of 30 s).
const faultKnob = params.get('webcodecsFail');
const webcodecsFault = faultKnob === 'stall' ? 'stall' : faultKnob === 'throw' || faultKnob === '1' ? 'throw' : undefined;
const holdSegment = knob('holdSegment');
const splitAboveSec = knob('splitAbove');
const multipartThreshold = knob('multipartThreshold');
// Benchmark knob: ?h264TargetQp=QP steers the fast route's H.264 bitrate to another mean QP (bench --part phone-qp).
const h264TargetQp = knob('h264TargetQp');
const session = await openBatchSession({
  engine: params.get('engine') === 'ffmpeg' ? 'ffmpeg' : 'auto',
  // Test knob: ?quotaBytes=BYTES lowers the storage the page counts on below the browser's quota.
  quotaBytes: knob('quotaBytes') ?? null,
  ...(webcodecsFault ? { webcodecsFault } : {}),
  // Test knob: ?truncateOutputs=1 cuts every output short before its check (the verification path).
  ...(params.get('truncateOutputs') === '1' ? { truncateOutputs: true } : {}),
  // Test knob: ?holdSegment=N makes segment N of a split job wait, so a test can reload with the other segments finished.
  ...(holdSegment !== undefined && Number.isInteger(holdSegment) ? { holdSegment } : {}),
  // Tuning and test knob: ?splitAbove=SECONDS (sources longer than this are split across workers).
  ...(splitAboveSec !== undefined ? { splitAboveSec } : {}),
  // Test and tuning knob: ?multipartThreshold=BYTES (S3 parts are at least 5 MiB).
  ...(multipartThreshold !== undefined ? { multipartThreshold } : {}),
  ...(h264TargetQp !== undefined ? { h264TargetQp } : {}),
});
const { batch } = session;
const root = document.getElementById('app');
if (!root) throw new Error('index.html must have an element with id "app".');
new AppView(root, batch, session.uploads, session.speeds, session.customPresets);
// Offline (issue 11): the service worker precaches the app; a waiting deployment is applied only on the person's click, never under a running batch.
const applyUpdate = registerServiceWorker({ show: () => updateBanner.show(), showTakenOver: () => updateBanner.showTakenOver() });
const updateBanner = new UpdateBanner(batch, applyUpdate);
root.prepend(updateBanner.element);

// Read by the benchmark: core load times (ms) and each job's timing.
Object.assign(window, {
  ffbatchStats: {
    coreLoads: session.coreLoads,
    jobs: () =>
      batch
        .listJobs()
        .map(({ id, sourceName, presetId, state, startedAt, endedAt, error, engine, engineNote, outputSize, quality }) => ({ id, sourceName, presetId, state, startedAt, endedAt, error, engine, engineNote, outputSize, quality: quality ?? null })),
  },
});

// Open with ffbatch and Share to ffbatch (issue 20): files the system hands the installed app join the list like picked
// ones, once the kept jobs are back (an opened file then resumes its interrupted jobs, as a picked one does).
void session.start().then(() => receiveSystemFiles((files) => batch.addFiles(files)));
