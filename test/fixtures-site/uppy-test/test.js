// The example's uploader as shipped, watched for uppy.spec.ts: what Uppy sent (SHA-256 of
// each file's data at upload), the progress and info it showed, and every ffbatch job's
// statuses (through an encoder handed to the plugin, as a site may).
import { createEncoder } from 'ffbatch';
import { startUploader } from '../uploader.ts';

const encoder = createEncoder();
const record = { progress: [], infos: [], sent: [], jobs: [], complete: null };
const watched = {
  ...encoder,
  call(file, preset, options) {
    const job = encoder.call(file, preset, options);
    const entry = { file: file.name, statuses: [job.status] };
    record.jobs.push(entry);
    job.addEventListener('statechange', () => entry.statuses.push(job.status));
    return job;
  },
  probe: (file, options) => encoder.probe(file, options),
  files: encoder.files,
  close: () => encoder.close(),
};

const uppy = startUploader('#uploader', { keepOriginalOnFailure: new URLSearchParams(location.search).has('keep'), encoder: watched });

async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

uppy.on('preprocess-progress', (file, progress) => record.progress.push({ name: file?.name ?? '', mode: progress.mode, value: progress.value ?? null, message: progress.message ?? null }));
uppy.on('info-visible', () => record.infos.push(...uppy.getState().info.map((info) => info.message)));
uppy.on('upload-success', (file, response) => {
  const entry = { name: file.meta.name, type: file.meta.type, size: file.size, originalName: file.meta.originalName ?? null, originalSize: file.meta.originalSize ?? null, location: response.uploadURL ?? null, sha256: null };
  record.sent.push(entry);
  void sha256(file.data).then((hex) => (entry.sha256 = hex));
});
uppy.on('complete', (result) => {
  record.complete = { successful: result.successful.map((f) => f.meta.name), failed: result.failed.map((f) => [f.name, f.error]) };
});
window.uppyTest = { record };
