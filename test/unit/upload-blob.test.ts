// uploadBlob against a real S3-compatible server (s3rver), signed by the example presign server,
// through the fault proxy. Node has no XMLHttpRequest, so the fetch transport stands in for it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchTransport } from '../../src/upload/fetch-transport';
import type { Transport } from '../../src/upload/transport';
import { UPLOAD_MESSAGES, UploadError } from '../../src/upload/upload-error';
import { uploadBlob, type MultipartProgressState, type UploadOptions } from '../../src/upload/upload-blob';
import { sha256OfBlob, startS3Stack, type S3Stack } from '../support/s3-stack';

const MiB = 1024 * 1024;
const fast = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

let stack: S3Stack;
beforeAll(async () => {
  stack = await startS3Stack();
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(async () => {
  stack.proxy.reset();
  await stack.proxy.start();
});

function video(bytes: number): Blob {
  return new Blob([randomBytes(bytes)], { type: 'video/mp4' });
}

function options(overrides: Partial<UploadOptions> = {}): UploadOptions {
  return {
    filename: 'clip one.mp4',
    contentType: 'video/mp4',
    target: { kind: 'endpoint', endpoint: stack.endpoint },
    transport: fetchTransport,
    retry: fast,
    ...overrides,
  };
}

/** Options for an 11 MiB blob in three parts of 5, 5 and 1 MiB. */
function multipart(overrides: Partial<UploadOptions> = {}): UploadOptions {
  return options({ multipartThreshold: 5 * MiB, partSize: 5 * MiB, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<UploadError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UploadError);
  return error as UploadError;
}

const browserPuts = (): number => stack.proxy.countRequests({ method: 'PUT', fromBrowser: true });

describe('single PUT', () => {
  it('stores the bytes and the signed Content-Type', async () => {
    const blob = video(1 * MiB + 17);
    const progress: number[] = [];
    const result = await uploadBlob(blob, options({ onProgress: (sent) => progress.push(sent) }));
    expect(result.key).toMatch(/^uploads\/.+-clip-one\.mp4$/);
    expect(result.location).not.toContain('?');
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
    expect(await stack.headObject(result.key as string)).toEqual({ size: blob.size, contentType: 'video/mp4' });
    expect(progress.at(-1)).toBe(blob.size);
    expect(browserPuts()).toBe(1);
  });

  it('uploads to one pasted presigned URL', async () => {
    const blob = video(2000);
    const url = await stack.presignPut('uploads/pasted.mp4', 'video/mp4');
    const result = await uploadBlob(blob, options({ target: { kind: 'presigned', url } }));
    expect(result.location).toBe(url.split('?')[0]);
    expect(await stack.getObjectSha256('uploads/pasted.mp4')).toBe(await sha256OfBlob(blob));
  });

  it("gives reason 'signature' for a 403 SignatureDoesNotMatch, without retrying", async () => {
    stack.proxy.injectStatus(403, 'SignatureDoesNotMatch', 1);
    const error = await failure(uploadBlob(video(1000), options()));
    expect(error).toMatchObject({ name: 'UploadError', reason: 'signature', status: 403, code: 'SignatureDoesNotMatch' });
    expect(error.message).toBe(UPLOAD_MESSAGES.signature);
    expect(browserPuts()).toBe(1);
  });

  it('re-signs an expired URL once and succeeds', async () => {
    stack.proxy.injectStatus(403, 'AccessDenied', 1, { message: 'Request has expired' });
    const blob = video(1000);
    const result = await uploadBlob(blob, options());
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
    expect(browserPuts()).toBe(2);
  });

  it("gives reason 'expired' when a pasted URL has expired (nothing can re-sign it)", async () => {
    stack.proxy.injectStatus(403, 'AccessDenied', 1, { message: 'Request has expired' });
    const url = await stack.presignPut('uploads/old.mp4', 'video/mp4');
    const error = await failure(uploadBlob(video(1000), options({ target: { kind: 'presigned', url } })));
    expect(error).toMatchObject({ reason: 'expired', message: UPLOAD_MESSAGES.expired });
  });

  it('retries a 5xx, then reports it without the presigned URL', async () => {
    stack.proxy.injectStatus(500, 'InternalError', 10);
    const error = await failure(uploadBlob(video(1000), options()));
    expect(error).toMatchObject({ reason: 'http', status: 500 });
    expect(error.message).not.toMatch(/X-Amz|Signature|\?/);
    expect(browserPuts()).toBe(fast.maxAttempts);
  });

  it("retries while the bucket is down, then gives reason 'network'; succeeds once it is back", async () => {
    await stack.proxy.stop();
    let attempts = 0;
    const counting: Transport = (request) => {
      if (request.method === 'PUT') attempts++;
      return fetchTransport(request);
    };
    const error = await failure(uploadBlob(video(1000), options({ transport: counting })));
    expect(error).toMatchObject({ reason: 'network', message: UPLOAD_MESSAGES.network });
    expect(attempts).toBe(fast.maxAttempts);

    await stack.proxy.start();
    const blob = video(1000);
    const result = await uploadBlob(blob, options());
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
  });

  it('rejects with the AbortError when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(uploadBlob(video(1000), options({ signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('multipart', () => {
  it('stores the bytes, saving state after every part', async () => {
    const blob = video(11 * MiB);
    const states: MultipartProgressState[] = [];
    let lastProgress = 0;
    const result = await uploadBlob(blob, multipart({
      onState: (state) => states.push(state),
      onProgress: (sent, total) => {
        expect(sent).toBeLessThanOrEqual(total);
        lastProgress = sent;
      },
    }));
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
    expect(lastProgress).toBe(blob.size);
    expect(states.map((s) => s.parts.length)).toEqual([0, 1, 2, 3]);
    expect(states.at(-1)).toMatchObject({ key: result.key, partSize: 5 * MiB, size: blob.size });
    expect(stack.proxy.requests.filter((r) => r.method === 'PUT' && r.fromBrowser).map((r) => r.query['partNumber']).sort())
      .toEqual(['1', '2', '3']);
  });

  it('retries a part whose connection was cut mid-body', async () => {
    const blob = video(11 * MiB);
    stack.proxy.cutConnections(true);
    const result = await uploadBlob(blob, multipart({
      concurrency: 1,
      retryHooks: { onRetry: () => stack.proxy.cutConnections(false) },
    }));
    expect(stack.proxy.countRequests({ outcome: 'cut' })).toBe(1);
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
  });

  it("gives reason 'signature' when a part's signature is refused", async () => {
    stack.proxy.injectStatus(403, 'SignatureDoesNotMatch', 1);
    const error = await failure(uploadBlob(video(11 * MiB), multipart()));
    expect(error.reason).toBe('signature');
  });

  it('resumes after a pause (abort keeping parts): sends only the remaining parts', async () => {
    const blob = video(11 * MiB);
    const controller = new AbortController();
    let saved: MultipartProgressState | undefined;
    const first = uploadBlob(blob, multipart({
      concurrency: 1,
      keepPartsOnAbort: true,
      signal: controller.signal,
      onState: (state) => {
        saved = state;
        if (state.parts.length === 1) controller.abort();
      },
    }));
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(saved?.parts.map((p) => p.PartNumber)).toEqual([1]);
    expect(stack.signerLog.some((line) => line.startsWith('DELETE'))).toBe(false);

    stack.proxy.reset();
    const result = await uploadBlob(blob, multipart({ resume: saved as MultipartProgressState }));
    expect(result.key).toBe(saved?.key);
    expect(stack.proxy.requests.filter((r) => r.method === 'PUT' && r.fromBrowser).map((r) => r.query['partNumber']).sort())
      .toEqual(['2', '3']);
    // s3rver has no ListParts (405): the stored ETags were used instead.
    expect(stack.proxy.countRequests({ method: 'GET', fromBrowser: false })).toBe(1);
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
  });

  it("trusts the server's ListParts over stored ETags where it has one", async () => {
    const blob = video(11 * MiB);
    const controller = new AbortController();
    let saved: MultipartProgressState | undefined;
    const pause = uploadBlob(blob, multipart({
      concurrency: 1, keepPartsOnAbort: true, signal: controller.signal,
      onState: (state) => {
        saved = state;
        if (state.parts.length === 1) controller.abort();
      },
    }));
    await expect(pause).rejects.toMatchObject({ name: 'AbortError' });

    // Stand in for a server with ListParts that holds none of the parts.
    const listsNothing: Transport = (request) =>
      request.method === 'GET' && /\/s3\/multipart\/\w+\?key=/.test(request.url)
        ? Promise.resolve({ status: 200, body: '[]', header: () => null })
        : fetchTransport(request);
    stack.proxy.reset();
    const result = await uploadBlob(blob, multipart({ resume: saved as MultipartProgressState, transport: listsNothing }));
    expect(browserPuts()).toBe(3);
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
  });

  it('fails with network when the bucket goes away mid-upload, then resumes once it is back', async () => {
    const blob = video(11 * MiB);
    let saved: MultipartProgressState | undefined;
    const error = await failure(uploadBlob(blob, multipart({
      concurrency: 1,
      onState: (state) => {
        saved = state;
        if (state.parts.length === 1) void stack.proxy.stop();
      },
    })));
    expect(error.reason).toBe('network');
    expect(saved?.parts).toHaveLength(1);

    await stack.proxy.start();
    stack.proxy.reset();
    const result = await uploadBlob(blob, multipart({ resume: saved as MultipartProgressState }));
    expect(browserPuts()).toBe(2);
    expect(await stack.getObjectSha256(result.key as string)).toBe(await sha256OfBlob(blob));
  });

  it('on abort stops every part at once and deletes the upload on the server', async () => {
    const controller = new AbortController();
    let started = 0;
    const abortOnThirdPut: Transport = (request) => {
      if (request.method === 'PUT' && ++started === 3) queueMicrotask(() => controller.abort());
      return fetchTransport(request);
    };
    const run = uploadBlob(video(16 * MiB), multipart({ signal: controller.signal, transport: abortOnThirdPut }));
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(stack.proxy.countRequests({ method: 'DELETE' })).toBe(1);
    expect(stack.signerLog.at(-1)).toMatch(/^DELETE \/s3\/multipart\/\w+ 405$/); // s3rver lacks AbortMultipartUpload
  });

  it("gives reason 'cors' when the ETag header is hidden from the page", async () => {
    const hideEtag: Transport = async (request) => {
      const response = await fetchTransport(request);
      return { ...response, header: (name) => (name.toLowerCase() === 'etag' ? null : response.header(name)) };
    };
    const error = await failure(uploadBlob(video(11 * MiB), multipart({ transport: hideEtag })));
    expect(error).toMatchObject({ reason: 'cors', message: UPLOAD_MESSAGES.etagHidden });
  });
});

describe('bad endpoint', () => {
  it("gives reason 'bad-endpoint' for a server without the routes", async () => {
    const error = await failure(uploadBlob(video(10), options({ target: { kind: 'endpoint', endpoint: `${stack.endpoint}/nothing` } })));
    expect(error.reason).toBe('bad-endpoint');
  });

  it('names the field of a bad option', async () => {
    await expect(uploadBlob(video(10), options({ partSize: 1024 }))).rejects.toThrow(/options\.partSize/);
  });
});
