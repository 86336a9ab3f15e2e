// A site that installs ffbatch and calls createEncoder() with no assetsURL and nothing copied
// by hand: its bundler (Vite or webpack, package-bundlers.spec.ts) must ship the worker and
// the ffmpeg core by itself.
import { createEncoder } from 'ffbatch';

const encoder = createEncoder({ workers: 1, engine: 'ffmpeg' });
const picker = document.querySelector('input[name=files]');

async function base64(blob) {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

window.ffbatchTest = {
  /** Encodes the picked file; what came of it. */
  async encode(preset) {
    const job = encoder.call(picker.files[0], preset);
    try {
      const { blob, name } = await job.result();
      return { status: job.status, name, base64: await base64(blob) };
    } catch (error) {
      return { status: job.status, error: job.error, message: error.message, name: error.name };
    }
  },
};
