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
// ?webcodecsFail=throw (or 1) makes every WebCodecs encode throw after its first progress, ?webcodecsFail=stall
// makes it hang there (the fallback paths; a hang is then called after 4 s of silence instead of 30 s).
const faultKnob = params.get('webcodecsFail');
const webcodecsFault = faultKnob === 'stall' ? 'stall' : faultKnob === 'throw' || faultKnob === '1' ? 'throw' : undefined;
const holdSegment = knob('holdSegment');
// The test and benchmark knobs, in one object the parts that act on them read (see src/jobs/hooks.ts).
const hooks: Parameters<typeof openBatchSession>[1] = {
  webcodecsFault,
  webcodecsStallMs: webcodecsFault === 'stall' ? 4_000 : undefined,
  // ?h264TargetQp=QP steers the fast route's H.264 bitrate to another mean QP (bench --part phone-qp).
  h264TargetQp: knob('h264TargetQp'),
  // ?qualitySamples=0: Auto encodes the fast route's H.264 as planned, without measuring samples first.
  qualitySamples: params.get('qualitySamples') === '0' ? false : undefined,
  // ?truncateOutputs=1 cuts every output short before its check (the verification path).
  truncateOutputs: params.get('truncateOutputs') === '1',
  // ?holdSegment=N makes segment N of a split job wait, so a test can reload with the other segments finished.
  holdSegment: holdSegment !== undefined && Number.isInteger(holdSegment) ? holdSegment : undefined,
};
const session = await openBatchSession(
  {
    // ?engine=auto|ffmpeg: the Engine select's first value.
    engine: params.get('engine') === 'ffmpeg' ? 'ffmpeg' : 'auto',
    // ?quotaBytes=BYTES lowers the storage the page counts on below the browser's quota.
    quotaBytes: knob('quotaBytes') ?? null,
    // ?splitAbove=SECONDS: sources longer than this are split across workers.
    splitAboveSec: knob('splitAbove'),
    // ?multipartThreshold=BYTES (S3 parts are at least 5 MiB).
    multipartThreshold: knob('multipartThreshold'),
  },
  hooks,
);
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
