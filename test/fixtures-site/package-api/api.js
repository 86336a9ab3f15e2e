// The library driven as a site would drive it, for package.spec.ts. It imports createEncoder
// only: its bundle must not carry the uploader (the tree-shaking check reads it).
import { createEncoder } from 'ffbatch';

const query = new URLSearchParams(location.search);
const encoder = createEncoder({
  workers: 2,
  engine: query.get('engine') === 'ffmpeg' ? 'ffmpeg' : 'auto',
});
const picker = document.querySelector('input[name=files]');
/** Job handles by id. */
const jobs = new Map();
/** What each job went through, by id: every status seen, then its outcome. */
const records = {};

function watch(job, file, preset) {
  jobs.set(job.id, job);
  const record = { id: job.id, file, preset, statuses: [job.status], maxProgress: 0, outcome: null };
  records[job.id] = record;
  job.addEventListener('statechange', () => record.statuses.push(job.status));
  job.addEventListener('progress', () => (record.maxProgress = Math.max(record.maxProgress, job.progress)));
  job.result().then(
    ({ blob, name, type, log }) => (record.outcome = { name, type, size: blob.size, logLines: log.length }),
    (error) => (record.outcome = { error: error.name, message: error.message, isDOMException: error instanceof DOMException, logLines: Array.isArray(error.log) ? error.log.length : null }),
  );
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function base64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

window.ffbatchTest = {
  records,
  /** map() over the picked files; the ids of the jobs, file by file. */
  map(presets) {
    const files = [...picker.files];
    return encoder.map(files, presets).map((job, i) => {
      watch(job, files[Math.floor(i / presets.length)].name, presets[i % presets.length]);
      return job.id;
    });
  },
  /** call() on the picked file at `index`. */
  call(index, preset) {
    const file = picker.files[index];
    const job = encoder.call(file, preset);
    watch(job, file.name, preset);
    return job.id;
  },
  cancel(id) {
    jobs.get(id).cancel();
    return jobs.get(id).status;
  },
  status: (id) => jobs.get(id).status,
  /** The result's bytes, base64. */
  resultBase64: async (id) => base64((await jobs.get(id).result()).blob),
  list: async () => (await encoder.files.list()).map(({ id, outputName, outputSize, presetId }) => ({ id, outputName, outputSize, presetId })),
  storedSha256: async (id) => sha256(await encoder.files.get(id)),
  storedBase64: async (id) => base64(await encoder.files.get(id)),
};
