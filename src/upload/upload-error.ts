import type { TransportResponse } from './transport';

/**
 * Why an upload failed, for the UI to pick its wording and for retry decisions.
 *
 * @example
 * ```ts
 * const hint: Partial<Record<UploadFailureReason, string>> = { cors: 'Set the bucket CORS rules.' };
 * ```
 */
export type UploadFailureReason = 'network' | 'signature' | 'expired' | 'cors' | 'quota' | 'http' | 'bad-endpoint';

/** Sentences shown to the person, one per reason (some call sites say more). */
export const UPLOAD_MESSAGES = {
  // A browser gives status 0 both for a dead network and for a CORS refusal: name both.
  network:
    'Could not reach the upload server (network down or server stopped), or the bucket did not allow this page\'s origin (CORS).',
  signature:
    "The bucket rejected the upload signature (403 SignatureDoesNotMatch): check the signing service's keys and clock.",
  expired: 'The upload URL has expired.',
  cors: 'The bucket did not allow this page\'s origin (CORS is not set up on the bucket).',
  etagHidden:
    'The bucket hid the ETag header from this page: its CORS rules must expose ETag for multipart uploads.',
  quota: 'The bucket is full or over quota.',
} as const;

/**
 * An upload that failed for a reason other than an abort. `message` is a human sentence and
 * never contains a presigned URL (query strings are stripped).
 *
 * @example
 * ```ts
 * try { await upload(blob, { endpoint }); }
 * catch (error) { if (error instanceof UploadError && error.reason === 'cors') alert(error.message); }
 * ```
 */
export class UploadError extends Error {
  override name = 'UploadError';
  readonly reason: UploadFailureReason;
  /** HTTP status of the answer that failed, when there was one. */
  readonly status: number | undefined;
  /** S3 error code (e.g. `SignatureDoesNotMatch`), when the answer had one. */
  readonly code: string | undefined;

  constructor(
    reason: UploadFailureReason,
    message: string,
    details: { status?: number | undefined; code?: string | undefined; cause?: unknown } = {},
  ) {
    super(stripQueryStrings(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.status = details.status;
    this.code = details.code;
  }
}

/** Removes `?…` from every URL in `text`, so no signature or credential leaks into logs. */
export function stripQueryStrings(text: string): string {
  return text.replace(/(https?:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/g, '$1');
}

/** Code and message of an S3 XML error body, if it is one. Regex, not DOMParser: no DOM in workers or Node. */
export function parseS3Error(body: string): { code?: string; message?: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
}

const QUOTA_CODES = /quota|storagefull|storage_cap|insufficientstorage/i;

/** The UploadError for a non-2xx answer from the bucket (a presigned PUT or POST). */
export function bucketError(response: TransportResponse, what: string): UploadError {
  const { status } = response;
  const { code, message = '' } = parseS3Error(response.body);
  const details = { status, code };
  if (code === 'SignatureDoesNotMatch') return new UploadError('signature', UPLOAD_MESSAGES.signature, details);
  if (code === 'ExpiredToken' || (code === 'AccessDenied' && /expired/i.test(message))) {
    return new UploadError('expired', UPLOAD_MESSAGES.expired, details);
  }
  if (status === 507 || (code !== undefined && QUOTA_CODES.test(code))) {
    return new UploadError('quota', UPLOAD_MESSAGES.quota, details);
  }
  return new UploadError('http', `The bucket answered ${status}${code ? ` ${code}` : ''} to ${what}.`, details);
}

/** The UploadError for a non-2xx answer from the signing service. */
export function signerError(response: TransportResponse, what: string): UploadError {
  let said = '';
  try {
    const parsed: unknown = JSON.parse(response.body);
    const error = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['error'] : undefined;
    if (typeof error === 'string') said = `: ${error.replace(/\.$/, '')}`;
  } catch {
    // Not JSON (an HTML error page, say): the status is all we report.
  }
  const { status } = response;
  return new UploadError('http', `The signing service answered ${status} to ${what}${said}.`, { status });
}
