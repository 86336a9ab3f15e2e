/**
 * The one place the uploader touches the network. The browser uses {@link xhrTransport} (real
 * upload progress events); Node tests use {@link fetchTransport}.
 */

/** One HTTP request. */
export interface TransportRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: Blob | FormData | string;
  /** Aborting rejects the request with a DOMException named AbortError. */
  signal: AbortSignal;
  /** Bytes of the body sent so far, as the transport learns of them. */
  onUploadProgress?: (sentBytes: number) => void;
}

/** The answer to a request, whatever its status. */
export interface TransportResponse {
  status: number;
  body: string;
  /** A response header, or null when absent (or hidden from the page by CORS). */
  header(name: string): string | null;
}

/**
 * Sends a request. Resolves for every HTTP status (4xx and 5xx included); rejects with a
 * {@link NetworkError} when no answer came, or the signal's AbortError when aborted.
 */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** No HTTP answer: refused, reset, DNS, or (in a browser) blocked by CORS, which looks the same. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}
