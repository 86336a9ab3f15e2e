/**
 * `upload(blob, …)`: the page's uploader (src/upload) for other sites. Its own module, so a
 * site that never uploads does not ship the uploader.
 */
import { uploadBlob, type UploadResult, type UploadTarget } from '../upload/upload-blob';

interface UploadCommon {
  /** Object name given to the signing service (default: the File's name, else `upload`). */
  name?: string;
  /** MIME type sent as Content-Type (default: the Blob's type, else `application/octet-stream`). */
  type?: string;
  /** Stops every request; the call rejects with an AbortError DOMException (a multipart upload is deleted). */
  signal?: AbortSignal;
  /** Bytes sent so far and the total, as the transport reports them. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Blobs at least this big go up as multipart (endpoint only); default 64 MiB. */
  multipartThreshold?: number;
}

/**
 * Through a signing service that speaks Uppy Companion's S3 routes (`examples/presign-server`).
 *
 * @example
 * ```ts
 * await upload(blob, { endpoint: 'https://sign.example.com', name: 'clip.mp4' });
 * ```
 */
export interface EndpointUploadOptions extends UploadCommon {
  endpoint: string;
}

/**
 * One presigned PUT URL: no signing service needed.
 *
 * @example
 * ```ts
 * await upload(blob, { url: presignedPutUrl, signal: controller.signal });
 * ```
 */
export interface PresignedUploadOptions extends UploadCommon {
  url: string;
}

export type { UploadResult };

/**
 * Uploads a Blob to a bucket through presigned URLs: one PUT, or multipart for large ones,
 * with retries and backoff. Rejects with an `UploadError` (its `message` is a sentence).
 *
 * @example
 * ```ts
 * import { upload } from 'ffbatch';
 * const { location, key } = await upload(blob, { endpoint: 'https://sign.example.com', name: 'clip.mp4', onProgress: (sent, total) => (bar.value = sent / total) });
 * ```
 */
export function upload(blob: Blob, options: EndpointUploadOptions | PresignedUploadOptions): Promise<UploadResult> {
  if (!(blob instanceof Blob)) return Promise.reject(new TypeError('blob must be a File or a Blob.'));
  if (typeof options !== 'object' || options === null) return Promise.reject(new TypeError('options must be an object with endpoint or url.'));
  let target: UploadTarget;
  if ('endpoint' in options && typeof options.endpoint === 'string' && options.endpoint !== '') target = { kind: 'endpoint', endpoint: options.endpoint };
  else if ('url' in options && typeof options.url === 'string' && options.url !== '') target = { kind: 'presigned', url: options.url };
  else return Promise.reject(new TypeError('options.endpoint or options.url must be a non-empty string.'));
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) return Promise.reject(new TypeError('options.name, when provided, must be a non-empty string.'));
  return uploadBlob(blob, {
    filename: options.name ?? (blob instanceof File ? blob.name : 'upload'),
    contentType: options.type ?? (blob.type || 'application/octet-stream'),
    target,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.multipartThreshold ? { multipartThreshold: options.multipartThreshold } : {}),
  });
}
