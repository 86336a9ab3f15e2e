import { isAbortError } from '../shared/abort';
import { DEFAULT_PART_SIZE, MIN_PART_SIZE, choosePartSize, planParts, remainingParts, type PlannedPart } from './part-planner';
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  uploadAborted,
  withRetry,
  type RetryHooks,
  type RetryPolicy,
} from './retry-policy';
import { SigningClient, type SingleUploadParams } from './signing-client';
import { fetchTransport } from './fetch-transport';
import { NetworkError, type Transport, type TransportResponse } from './transport';
import { UPLOAD_MESSAGES, UploadError, bucketError } from './upload-error';
import { xhrTransport } from './xhr-transport';

/** Where the bytes go: a Companion-style signing service, or one presigned PUT URL. */
export type UploadTarget = { kind: 'endpoint'; endpoint: string } | { kind: 'presigned'; url: string };

/** A part the bucket holds: what CompleteMultipartUpload needs. */
export interface CompletedPart {
  PartNumber: number;
  ETag: string;
}

/**
 * Everything needed to resume a multipart upload after a reload. The caller stores it with the
 * output (it holds no URL and no secret) and passes it back as {@link UploadOptions.resume}.
 */
export interface MultipartProgressState {
  key: string;
  uploadId: string;
  partSize: number;
  /** Size of the blob the parts were cut from; a different blob never resumes this upload. */
  size: number;
  parts: CompletedPart[];
}

/** Options of {@link uploadBlob}. */
export interface UploadOptions {
  /** Name given to the signing service (which picks the object key from it). */
  filename: string;
  /** MIME type: signed by the service and sent as Content-Type. */
  contentType: string;
  target: UploadTarget;
  /** Blobs at least this big go up as multipart (endpoint targets only). Default 64 MiB. */
  multipartThreshold?: number;
  /** Wished part size, at least 5 MiB; raised if needed to stay within 10 000 parts. Default 8 MiB. */
  partSize?: number;
  /** Parts in flight at once. Default 4. */
  concurrency?: number;
  /** State saved by `onState` during an earlier try of the same blob: skip the parts sent. */
  resume?: MultipartProgressState;
  /** Called after the multipart upload starts and after every part: persist it for `resume`. */
  onState?: (state: MultipartProgressState) => void;
  /** Bytes sent so far (real bytes, from the transport's upload events) and the total. */
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /**
   * Stops every request at once and rejects with an AbortError. The multipart upload is then
   * deleted on the server, unless `keepPartsOnAbort` (a pause: resume later with `resume`).
   */
  signal?: AbortSignal;
  keepPartsOnAbort?: boolean;
  /** Per request (per part for multipart). Default {@link DEFAULT_RETRY_POLICY}. */
  retry?: RetryPolicy;
  /** Test hooks: fake clock and random source for retries. */
  retryHooks?: RetryHooks;
  /** Default: XMLHttpRequest in a browser, fetch elsewhere. */
  transport?: Transport;
}

/**
 * Where the object ended up.
 *
 * @example
 * ```ts
 * const { location, key }: UploadResult = await upload(blob, { endpoint });
 * ```
 */
export interface UploadResult {
  /** The object's URL (no query string). */
  location: string;
  /** The object key, when known. */
  key?: string;
}

const MiB = 1024 * 1024;
const DEFAULT_MULTIPART_THRESHOLD = 64 * MiB;
const DEFAULT_CONCURRENCY = 4;

/** Everything one upload's steps share. */
interface Context {
  blob: Blob;
  options: UploadOptions;
  transport: Transport;
  policy: RetryPolicy;
  signal: AbortSignal;
  signer: SigningClient | undefined;
}

/**
 * Uploads `blob` to a bucket through presigned URLs: one PUT (or Companion's form POST) below
 * `multipartThreshold`, a multipart upload with several parts in flight above it. Network
 * errors and 5xx are retried with backoff; an expired URL is re-signed once.
 *
 * @throws UploadError with a human message and a `reason`; DOMException AbortError on abort.
 * @example
 * const { location } = await uploadBlob(blob, {
 *   filename: 'talk.mp4', contentType: 'video/mp4',
 *   target: { kind: 'endpoint', endpoint: 'https://sign.example.com' },
 *   onState: (state) => saveUploadState(outputId, state),
 *   onProgress: (sent, total) => (bar.value = sent / total),
 *   signal: controller.signal,
 * });
 */
export async function uploadBlob(blob: Blob, options: UploadOptions): Promise<UploadResult> {
  validate(options);
  const transport = options.transport ?? (typeof XMLHttpRequest === 'function' ? xhrTransport : fetchTransport);
  const { target } = options;
  const context: Context = {
    blob,
    options,
    transport,
    policy: options.retry ?? DEFAULT_RETRY_POLICY,
    signal: options.signal ?? new AbortController().signal,
    signer: target.kind === 'endpoint' ? new SigningClient(target.endpoint, transport) : undefined,
  };
  if (context.signal.aborted) throw uploadAborted(context.signal);
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const multipart = context.signer !== undefined && (blob.size >= threshold || options.resume !== undefined);
  return multipart ? uploadMultipart(context, context.signer as SigningClient) : uploadSingle(context);
}

function validate(options: UploadOptions): void {
  if (typeof options.filename !== 'string' || options.filename === '') {
    throw new TypeError('options.filename must be a non-empty string.');
  }
  if (typeof options.contentType !== 'string' || options.contentType === '') {
    throw new TypeError('options.contentType must be a non-empty string.');
  }
  if (options.partSize !== undefined && !(options.partSize >= MIN_PART_SIZE)) {
    throw new TypeError(`options.partSize must be at least 5 MiB (${MIN_PART_SIZE} bytes).`);
  }
  if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
    throw new TypeError('options.concurrency must be a whole number of at least 1.');
  }
  const target = options.target as Partial<{ kind: string; endpoint: unknown; url: unknown }> | undefined;
  if (target?.kind === 'endpoint' ? typeof target.endpoint !== 'string' : target?.kind !== 'presigned' || typeof target.url !== 'string') {
    throw new TypeError("options.target must be { kind: 'endpoint', endpoint } or { kind: 'presigned', url }.");
  }
}

/** Retries `step` per policy; an expired URL gets one more try when a fresh one can be signed. */
function retrying<T>(context: Context, step: () => Promise<T>): Promise<T> {
  let resigned = false;
  const retryable = (error: unknown): boolean => {
    if (!(error instanceof UploadError)) return false;
    if (error.reason === 'expired' && context.signer && !resigned) return (resigned = true);
    return isRetryable(error);
  };
  return withRetry(step, context.policy, retryable, context.signal, context.options.retryHooks);
}

/** Sends a request to the bucket; a missing answer becomes UploadError 'network'. */
async function toBucket(context: Context, request: Parameters<Transport>[0]): Promise<TransportResponse> {
  try {
    return await context.transport(request);
  } catch (error) {
    if (isAbortError(error) || !(error instanceof NetworkError)) throw error;
    throw new UploadError('network', UPLOAD_MESSAGES.network, { cause: error });
  }
}

async function uploadSingle(context: Context): Promise<UploadResult> {
  const { blob, options } = context;
  const total = blob.size;
  const result = await retrying(context, async () => {
    const params: SingleUploadParams = context.signer
      ? await context.signer.getUploadParameters(options.filename, options.contentType, context.signal)
      : { method: 'PUT', url: (options.target as { url: string }).url, headers: {}, fields: {} };
    const request: Parameters<Transport>[0] = {
      method: params.method,
      url: params.url,
      signal: context.signal,
      onUploadProgress: (sent) => options.onProgress?.(Math.min(sent, total), total),
    };
    if (params.method === 'PUT') {
      // Send exactly the signed Content-Type; fall back to the one we asked to be signed.
      request.headers = { 'content-type': options.contentType, ...params.headers };
      request.body = blob;
    } else {
      const form = new FormData();
      for (const [name, value] of Object.entries(params.fields)) form.append(name, value);
      form.append('file', blob, options.filename); // S3 ignores form fields after the file
      request.body = form;
    }
    const response = await toBucket(context, request);
    if (response.status < 200 || response.status > 299) throw bucketError(response, `${params.method} ${stripQuery(params.url)}`);
    const location = /<Location>([^<]*)<\/Location>/.exec(response.body)?.[1] ?? stripQuery(params.url);
    return params.key === undefined ? { location } : { location, key: params.key };
  });
  options.onProgress?.(total, total);
  return result;
}

async function uploadMultipart(context: Context, signer: SigningClient): Promise<UploadResult> {
  const { blob, options } = context;
  const resume = options.resume;
  const usable = resume !== undefined && resume.size === blob.size && resume.partSize >= MIN_PART_SIZE;
  let state: MultipartProgressState | undefined = usable ? resume : undefined;
  try {
    if (usable) state = await resumedState(context, signer, resume);
    state ??= await startUpload(context, signer);
    return await sendParts(context, signer, state);
  } catch (error) {
    if (isAbortError(error)) {
      if (state && !options.keepPartsOnAbort) await abortQuietly(signer, state);
      throw error;
    }
    // A resumed upload that the bucket no longer knows (expired or aborted): start over, once.
    if (usable && error instanceof UploadError && error.code === 'NoSuchUpload') {
      return uploadMultipart({ ...context, options: { ...options, resume: undefined } }, signer);
    }
    throw error;
  }
}

async function startUpload(context: Context, signer: SigningClient): Promise<MultipartProgressState> {
  const { blob, options } = context;
  const { key, uploadId } = await retrying(context, () =>
    signer.createMultipartUpload(options.filename, options.contentType, context.signal),
  );
  const state = { key, uploadId, partSize: choosePartSize(blob.size, options.partSize ?? DEFAULT_PART_SIZE), size: blob.size, parts: [] };
  options.onState?.(state);
  return state;
}

/**
 * The saved state, checked against the server's ListParts where it has one: only parts that the
 * server lists with the planned size count as sent. Without ListParts, trust the stored ETags.
 * Undefined when the server says the upload is gone.
 */
async function resumedState(
  context: Context,
  signer: SigningClient,
  saved: MultipartProgressState,
): Promise<MultipartProgressState | undefined> {
  const plan = planParts(saved.size, saved.partSize);
  try {
    const listed = await retrying(context, () => signer.listParts(saved.key, saved.uploadId, context.signal));
    const parts = listed
      .filter((p) => plan[p.PartNumber - 1] !== undefined && sizeOf(plan[p.PartNumber - 1] as PlannedPart) === p.Size)
      .map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
    const verified = { ...saved, parts };
    context.options.onState?.(verified);
    return verified;
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (error instanceof UploadError && error.status === 404) return undefined;
    return { ...saved, parts: [...saved.parts] };
  }
}

async function sendParts(context: Context, signer: SigningClient, state: MultipartProgressState): Promise<UploadResult> {
  const { blob, options } = context;
  const done = new Map(state.parts.map((part) => [part.PartNumber, part]));
  const plan = planParts(blob.size, state.partSize);
  const queue = remainingParts(plan, done.values());
  const inFlight = new Map<number, number>();
  let doneBytes = plan.filter((part) => done.has(part.partNumber)).reduce((sum, part) => sum + sizeOf(part), 0);
  const report = (): void => {
    let sent = doneBytes;
    for (const bytes of inFlight.values()) sent += bytes;
    options.onProgress?.(sent, blob.size);
  };
  const snapshot = (): MultipartProgressState => ({
    ...state,
    parts: [...done.values()].sort((a, b) => a.PartNumber - b.PartNumber),
  });
  report();

  // One controller for all parts: the first failure (or the caller's abort) stops the others at once.
  const stopAll = new AbortController();
  const onAbort = (): void => stopAll.abort(context.signal.reason);
  context.signal.addEventListener('abort', onAbort, { once: true });
  const partContext: Context = { ...context, signal: stopAll.signal };
  let failure: { error: unknown } | undefined;

  const sendNext = async (): Promise<void> => {
    for (let part = queue.shift(); part && !failure; part = queue.shift()) {
      const current = part;
      try {
        const etag = await retrying(partContext, () => sendPart(partContext, signer, state, current, (bytes) => {
          inFlight.set(current.partNumber, bytes);
          report();
        }));
        inFlight.delete(current.partNumber);
        doneBytes += sizeOf(current);
        done.set(current.partNumber, { PartNumber: current.partNumber, ETag: etag });
        options.onState?.(snapshot());
        report();
      } catch (error) {
        failure ??= { error };
        stopAll.abort();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length) }, sendNext));
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
  if (context.signal.aborted) throw uploadAborted(context.signal);
  if (failure) throw failure.error;

  const parts = snapshot().parts;
  const { location } = await retrying(context, () =>
    signer.completeMultipartUpload(state.key, state.uploadId, parts, context.signal),
  );
  return { location: location ?? state.key, key: state.key };
}

/** Signs and sends one part; resolves with its ETag. */
async function sendPart(
  context: Context,
  signer: SigningClient,
  state: MultipartProgressState,
  part: PlannedPart,
  onBytes: (sent: number) => void,
): Promise<string> {
  onBytes(0);
  const url = await signer.signPart(state.key, state.uploadId, part.partNumber, context.signal);
  // A slice has no type, so no Content-Type is sent: UploadPart's signature does not cover one.
  const body = context.blob.slice(part.start, part.end);
  const response = await toBucket(context, {
    method: 'PUT',
    url,
    body,
    signal: context.signal,
    onUploadProgress: (sent) => onBytes(Math.min(sent, body.size)),
  });
  if (response.status < 200 || response.status > 299) {
    throw bucketError(response, `PUT part ${part.partNumber} to ${stripQuery(url)}`);
  }
  const etag = response.header('ETag');
  if (!etag) throw new UploadError('cors', UPLOAD_MESSAGES.etagHidden, { status: response.status });
  return etag;
}

/** Best effort: the caller is leaving, and a failure here must not hide the AbortError. */
async function abortQuietly(signer: SigningClient, state: MultipartProgressState): Promise<void> {
  try {
    await signer.abortMultipartUpload(state.key, state.uploadId, AbortSignal.timeout(10_000));
  } catch {
    // Parts left behind are removed by the bucket's lifecycle rule for incomplete uploads.
  }
}

function sizeOf(part: PlannedPart): number {
  return part.end - part.start;
}

function stripQuery(url: string): string {
  return url.split(/[?#]/)[0] ?? url;
}
