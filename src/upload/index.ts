/** Upload of outputs to a bucket through presigned URLs (single PUT or multipart). */
export {
  uploadBlob,
  type CompletedPart,
  type MultipartProgressState,
  type UploadOptions,
  type UploadResult,
  type UploadTarget,
} from './upload-blob';
export { UploadError, UPLOAD_MESSAGES, stripQueryStrings, type UploadFailureReason } from './upload-error';
export { DEFAULT_RETRY_POLICY, backoffDelay, isRetryable, type RetryPolicy, type RetryHooks } from './retry-policy';
export { MIN_PART_SIZE, MAX_PARTS, choosePartSize, planParts, remainingParts, type PlannedPart } from './part-planner';
export { NetworkError, type Transport, type TransportRequest, type TransportResponse } from './transport';
export { xhrTransport } from './xhr-transport';
export { fetchTransport } from './fetch-transport';
