import { isAbortError } from '../shared/abort';
import { uploadAborted } from './retry-policy';
import { NetworkError, type Transport } from './transport';

/**
 * Transport on `fetch`, for Node and tests. fetch cannot report upload progress, so the whole
 * body counts as sent once the answer arrives.
 */
export const fetchTransport: Transport = async (request) => {
  const { signal } = request;
  let response: Response;
  let body: string;
  try {
    const init: RequestInit = { method: request.method, headers: request.headers ?? {}, signal };
    if (request.body !== undefined) init.body = request.body;
    response = await fetch(request.url, init);
    body = await response.text();
  } catch (error) {
    if (signal.aborted || isAbortError(error)) throw uploadAborted(signal);
    throw new NetworkError(`${request.method} request failed before any answer.`, { cause: error });
  }
  if (request.onUploadProgress && request.body instanceof Blob) request.onUploadProgress(request.body.size);
  return { status: response.status, body, header: (name) => response.headers.get(name) };
};
