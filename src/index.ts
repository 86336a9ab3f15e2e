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
  type CallOptions,
} from './api/encoder';
// A whole batch page's model: the ffbatch page itself is built on this and the helpers below only.
export {
  openBatchSession,
  type BatchSession,
  type BatchSessionOptions,
  type SessionBatch,
  type SessionUploads,
  type SessionSpeeds,
  type SessionCustomPresets,
  type AddedFile,
  type EncodeOptions,
  type BatchJob,
  type BatchJobState,
  type BatchSource,
  type SourceInfo,
  type CustomPreset,
  type SavedPresetInput,
  type FormPresetInput,
  type PresetChoices,
  type FormFormat,
  type FormSound,
  type StorageUsage,
  type BatchEvent,
} from './api/batch-session';
export { looksLikeMedia } from './jobs/source';
export type { OutputQuality } from './jobs/score-output';
export type { CompareView } from './jobs/compare-job';
export { qualityGrade, QUALITY_GRADES, type QualityGrade } from '../workers/quality/quality-grade';
export { INTERRUPTED_SENTENCE, MISSING_OUTPUT_SENTENCE } from './jobs/job';
export { COPIES_WHILE_STORING } from './storage/storage-budget';
export { privateWindowSentence, worthWarning } from './storage/private-window';
export { CONTAINERS, containerById, type Container } from './presets/custom-preset';
export {
  describeChoices,
  engineSentence,
  FIT_QUICK_PICKS,
  FORM_FORMATS,
  FORM_FRAME_RATES,
  FORM_SIZES,
  formatHasVideo,
  PresetChoicesError,
  specFromChoices,
} from './presets/form-preset';
export { batchReport, latestBatch, reportJson, type BatchReport, type ReportJob } from './report/batch-report';
export { estimateBatch, type EstimateItem } from './report/estimate';
export { presetColours, timelineSvg } from './report/timeline-svg';
export { CLOUD_PRICE, type CloudPrice } from './report/cloud-price';
export { upload, type EndpointUploadOptions, type PresignedUploadOptions, type UploadResult } from './api/upload';
export { PRESETS, PresetMismatchError, presetById, isPresetId, type Preset, type PresetId, type PresetGroup } from './presets/presets';
export { toFfmpegArgs, toFfmpegCommand } from './api/ffmpeg-command';
export { canEncodeAv1 } from './api/capabilities';
export {
  checkOutputSpec,
  QUALITY_MARKS,
  type OutputSpec,
  type VideoSpec,
  type AudioSpec,
  type VideoRate,
  type QualityLevel,
  type SpecContainer,
  type SpecVideoCodec,
  type SpecAudioCodec,
} from './presets/output-spec';
export {
  checkEdits,
  editableFacts,
  editProblems,
  formatTime,
  parseCrop,
  parseTime,
  summarizeEdits,
  type Crop,
  type EditableSource,
  type Edits,
  type Rotation,
  type SubtitleChoice,
  type Trim,
} from './presets/edits';
export { CustomPresetError } from './presets/custom-preset';
export { JobFailedError, JobStalledError } from './jobs/errors';
export { WorkerCrashedError } from './pool/worker-pool';
export { StorageFullError } from './storage/output-store';
export type { OutputRecord } from './storage/records';
export { StorageBudgetError } from './storage/storage-budget';
export { UploadError, type UploadFailureReason } from './upload/upload-error';
