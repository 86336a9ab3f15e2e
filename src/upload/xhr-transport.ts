import { uploadAborted } from './retry-policy';
import { NetworkError, type Transport } from './transport';

/**
 * Browser transport on XMLHttpRequest, the only browser API that reports upload progress.
 * `withCredentials` stays false: presigned URLs carry their own authority, and cookies would
 * force the bucket's CORS rules to name the origin exactly.
 */
export const xhrTransport: Transport = (request) =>
  new Promise((resolve, reject) => {
    const { signal } = request;
    if (signal.aborted) return reject(uploadAborted(signal));
    const xhr = new XMLHttpRequest();
    const onAbort = (): void => xhr.abort();
    const cleanUp = (): void => signal.removeEventListener('abort', onAbort);
    xhr.open(request.method, request.url);
    for (const [name, value] of Object.entries(request.headers ?? {})) xhr.setRequestHeader(name, value);
    if (request.onUploadProgress) {
      const report = request.onUploadProgress;
      xhr.upload.addEventListener('progress', (event) => report(event.loaded));
    }
    xhr.addEventListener('load', () => {
      cleanUp();
      resolve({ status: xhr.status, body: xhr.responseText, header: (name) => xhr.getResponseHeader(name) });
    });
    // Status 0: the browser will not say whether the network failed or CORS blocked the answer.
    xhr.addEventListener('error', () => {
      cleanUp();
      reject(new NetworkError(`${request.method} request failed before any answer.`));
    });
    xhr.addEventListener('timeout', () => {
      cleanUp();
      reject(new NetworkError(`${request.method} request timed out.`));
    });
    xhr.addEventListener('abort', () => {
      cleanUp();
      reject(uploadAborted(signal));
    });
    signal.addEventListener('abort', onAbort, { once: true });
    xhr.send(request.body ?? null);
  });
