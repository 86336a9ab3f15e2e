/**
 * ffbatch as a library: batch video and audio encoding in the browser (ffmpeg.wasm workers
 * and the browser's own encoders), outputs kept in IndexedDB, uploads through presigned URLs.
 * One hand-kept list of exports.
 *
 * @example
 * ```ts
 * import { createEncoder, upload } from 'ffbatch';
 * const encoder = createEncoder();
 * const { blob, name } = await encoder.call(file, 'mp3-audio').result();
 * await upload(blob, { endpoint: '/sign', name });
 * ```
 * @packageDocumentation
 */
export {
  createEncoder,
  type Encoder,
  type EncoderOptions,
  type EncoderJob,
  type EncoderFiles,
  type JobStatus,
  type JobResult,
  type PresetChoice,
  type CustomPresetInput,
  type SignalOption,
} from './api/encoder';
export { upload, type EndpointUploadOptions, type PresignedUploadOptions, type UploadResult } from './api/upload';
export { PRESETS, PresetMismatchError, type Preset, type PresetId } from './presets/presets';
export { CustomPresetError } from './presets/custom-preset';
export { JobFailedError, JobStalledError } from './jobs/errors';
export { WorkerCrashedError } from './pool/worker-pool';
export { StorageFullError, type OutputRecord } from './storage/output-store';
export { StorageBudgetError } from './storage/storage-budget';
export { UploadError, type UploadFailureReason } from './upload/upload-error';
