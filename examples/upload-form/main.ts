/**
 * The upload form: the visitor's browser converts the picked video with ffbatch, uploads the
 * result to the bucket through the signing service, then submits the form with the object key.
 */
import { createEncoder, upload, type JobResult } from 'ffbatch';

/** What the site stores: H.264 at most 480 lines high, AAC, in MP4. */
const PRESET = 'mp4-h264-480p';
/** The signing service; `VITE_SIGNING_ENDPOINT` in `.env` (presign-server's default port otherwise). */
const SIGNING_ENDPOINT = import.meta.env.VITE_SIGNING_ENDPOINT ?? 'http://localhost:3020';

// Vite ships the worker and the ffmpeg core beside the bundle by itself (the library points at them with new URL(…, import.meta.url)).
const encoder = createEncoder();

const form = document.querySelector('form')!;
const picker = form.querySelector<HTMLInputElement>('input[type=file]')!;
const keyField = form.querySelector<HTMLInputElement>('input[name=key]')!;
const bar = form.querySelector('progress')!;
const status = form.querySelector('[role=status]')!;
const alert = form.querySelector('[role=alert]')!;
const button = form.querySelector('button')!;

/** The converted video, kept so that a failed upload is retried without converting again. */
let converted: { file: File; result: JobResult } | null = null;

function show(text: string, fraction: number | null): void {
  status.textContent = text;
  bar.hidden = fraction === null;
  if (fraction !== null) bar.value = fraction;
}

function convert(file: File): Promise<JobResult> {
  const job = encoder.call(file, PRESET);
  show('Converting your video on this computer…', 0);
  job.addEventListener('progress', () => show(`Converting your video on this computer… ${Math.round(job.progress * 100)} %`, job.progress));
  return job.result();
}

async function send(result: JobResult): Promise<string> {
  show('Uploading…', 0);
  const { key } = await upload(result.blob, {
    endpoint: SIGNING_ENDPOINT,
    name: result.name,
    onProgress: (sent, total) => show(`Uploading… ${Math.round((sent / total) * 100)} %`, sent / total),
  });
  // The signing service always names the key; a bare presigned URL would not.
  if (!key) throw new Error('The signing service did not say where the video was stored.');
  return key;
}

picker.addEventListener('change', () => {
  converted = null;
  alert.textContent = '';
  button.textContent = 'Submit';
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const file = picker.files?.[0];
  if (!file) return;
  button.disabled = true;
  alert.textContent = '';
  void (async () => {
    try {
      if (converted?.file !== file) converted = { file, result: await convert(file) };
      keyField.value = await send(converted.result);
      show('Uploaded.', 1);
      // A real submit (not a fetch): the site's backend gets the title and the key, as from any form.
      form.submit();
    } catch (error) {
      show('', null);
      const why = error instanceof Error ? error.message : String(error);
      alert.textContent = converted ? `The upload failed: ${why} Press Retry upload to try again.` : `Your video could not be converted: ${why}`;
      button.textContent = converted ? 'Retry upload' : 'Submit';
      button.disabled = false;
    }
  })();
});
