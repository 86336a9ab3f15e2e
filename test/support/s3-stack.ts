/**
 * A whole upload back end on loopback, for unit and end-to-end tests:
 *
 *   page / test ──► presign server (examples/presign-server) ──┐ AWS SDK
 *        │ presigned PUTs                                       ▼
 *        └───────────────────────────────► fault proxy ──► s3rver (temp dir)
 *
 * Presigned URLs point at the proxy, so tests can make the bucket answer 403, cut
 * connections mid-body, or go away and come back. s3rver does not check V4 signatures
 * and has no ListParts and no AbortMultipartUpload (both answer 405).
 * Types of s3rver: ./s3rver.d.ts (picked up through tsconfig's `include`).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import S3rver from 's3rver';
import { createPresignServer } from '../../examples/presign-server/presign-server.mjs';

export const BUCKET = 'ffbatch-test';
/** s3rver's built-in account. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** What the browser needs from a bucket: PUT from any origin with Content-Type, ETag readable. */
const CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>POST</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>Content-Type</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/** One request that reached the proxy. Signature parameters are left out. */
export interface ProxiedRequest {
  method: string;
  path: string;
  /** Query parameters other than X-Amz-* (e.g. uploadId, partNumber). */
  query: Record<string, string>;
  /** True for presigned requests (no Authorization header), i.e. what the page sends. */
  fromBrowser: boolean;
  outcome: 'forwarded' | 'injected' | 'cut';
}

/** Controls of the fault-injecting proxy in front of s3rver. */
export interface FaultProxy {
  readonly url: string;
  /**
   * The next `count` matching requests get `status` with an S3 XML error `code` (their body is
   * read first, as S3 does). Matches presigned (page) requests other than OPTIONS, unless
   * `allRequests`. E.g. `injectStatus(403, 'SignatureDoesNotMatch', 1)`, or for an expired URL
   * `injectStatus(403, 'AccessDenied', 1, { message: 'Request has expired' })`.
   */
  injectStatus(status: number, code: string, count?: number, options?: { message?: string; allRequests?: boolean }): void;
  /** While on, presigned requests have their socket destroyed after `afterBytes` of body (default 64 KiB). */
  cutConnections(on: boolean, options?: { afterBytes?: number }): void;
  /** Closes the port and drops every open connection: the bucket is gone. */
  stop(): Promise<void>;
  /** Listens again on the same port: the bucket is back, old URLs work again. */
  start(): Promise<void>;
  /** Requests seen so far, oldest first. */
  readonly requests: readonly ProxiedRequest[];
  /** How many requests match; e.g. `countRequests({ method: 'PUT', fromBrowser: true })`. */
  countRequests(filter?: Partial<Pick<ProxiedRequest, 'method' | 'fromBrowser' | 'outcome'>>): number;
  /** Forgets the requests seen, the pending injections and the cut switch. */
  reset(): void;
}

/** The running stack. */
export interface S3Stack {
  /** The signing service's base URL: what goes into **Upload endpoint**. */
  endpoint: string;
  bucket: string;
  proxy: FaultProxy;
  /** Lines the signing service logged (`METHOD /path status`), oldest first. */
  signerLog: string[];
  /** SHA-256 (hex) of an object, read straight from s3rver (not through the proxy). */
  getObjectSha256(key: string): Promise<string>;
  /** An object's bytes, read straight from s3rver. */
  getObjectBytes(key: string): Promise<Uint8Array>;
  /** Size and stored Content-Type of an object, read straight from s3rver. */
  headObject(key: string): Promise<{ size: number; contentType: string | undefined }>;
  /** Every object in the bucket, read straight from s3rver. */
  listObjects(): Promise<{ key: string; size: number }[]>;
  /** A presigned PUT URL (through the proxy) for `key`, Content-Type signed: the one-off URL flow. */
  presignPut(key: string, contentType: string, expiresSeconds?: number): Promise<string>;
  /** Stops everything and deletes the temp dir. */
  close(): Promise<void>;
}

export interface S3StackOptions {
  /** ALLOWED_ORIGIN of the signing service. Default `*`. */
  allowedOrigin?: string;
  keyPrefix?: string;
  urlExpiresSeconds?: number;
}

/** Starts s3rver, the proxy and the signing service on random free loopback ports. */
export async function startS3Stack(options: S3StackOptions = {}): Promise<S3Stack> {
  const directory = await mkdtemp(join(tmpdir(), 'ffbatch-s3-'));
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET, configs: [CORS_XML] }],
  });
  const s3Address = await s3rver.run();
  const s3Url = `http://127.0.0.1:${s3Address.port}`;
  const proxy = await startFaultProxy(s3Address.port);

  const signerLog: string[] = [];
  const signer = await createPresignServer({
    endpoint: proxy.url,
    region: 'us-east-1',
    bucket: BUCKET,
    ...CREDENTIALS,
    forcePathStyle: true,
    allowedOrigin: options.allowedOrigin ?? '*',
    port: 0,
    host: '127.0.0.1',
    keyPrefix: options.keyPrefix ?? 'uploads/',
    urlExpiresSeconds: options.urlExpiresSeconds ?? 900,
    log: (line) => signerLog.push(line),
  });
  const client = (endpoint: string): S3Client =>
    new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const direct = client(s3Url);
  const viaProxy = client(proxy.url);

  return {
    endpoint: `http://127.0.0.1:${(signer.address() as AddressInfo).port}`,
    bucket: BUCKET,
    proxy,
    signerLog,
    async getObjectSha256(key) {
      const object = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = await object.Body?.transformToByteArray();
      if (!bytes) throw new Error(`Object ${key} has no body.`);
      return createHash('sha256').update(bytes).digest('hex');
    },
    async getObjectBytes(key) {
      const object = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = await object.Body?.transformToByteArray();
      if (!bytes) throw new Error(`Object ${key} has no body.`);
      return bytes;
    },
    async headObject(key) {
      const head = await direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType };
    },
    async listObjects() {
      const out = await direct.send(new ListObjectsV2Command({ Bucket: BUCKET }));
      return (out.Contents ?? []).map((object) => ({ key: object.Key ?? '', size: object.Size ?? 0 }));
    },
    presignPut(key, contentType, expiresSeconds = 900) {
      const command = new PutObjectCommand({ Bucket: BUCKET, Key: key, ContentType: contentType });
      return getSignedUrl(viaProxy, command, { expiresIn: expiresSeconds, signableHeaders: new Set(['content-type']) });
    },
    async close() {
      signer.closeAllConnections();
      await new Promise((resolve) => signer.close(resolve));
      await proxy.stop();
      direct.destroy();
      viaProxy.destroy();
      await s3rver.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** SHA-256 (hex) of a Blob, to compare with {@link S3Stack.getObjectSha256}. */
export async function sha256OfBlob(blob: Blob): Promise<string> {
  return createHash('sha256').update(new Uint8Array(await blob.arrayBuffer())).digest('hex');
}

async function startFaultProxy(upstreamPort: number): Promise<FaultProxy> {
  const requests: ProxiedRequest[] = [];
  let injections: { status: number; code: string; message: string; left: number; allRequests: boolean }[] = [];
  let cut: { afterBytes: number } | undefined;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const fromBrowser = req.headers.authorization === undefined;
    const entry: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries([...url.searchParams].filter(([name]) => !/^x-amz-/i.test(name))),
      fromBrowser,
      outcome: 'forwarded',
    };
    requests.push(entry);
    const eligible = (allRequests: boolean): boolean => req.method !== 'OPTIONS' && (allRequests || fromBrowser);

    if (cut && eligible(false)) {
      entry.outcome = 'cut';
      const { afterBytes } = cut;
      let seen = 0;
      const destroy = (): void => void req.socket.destroy();
      if (Number(req.headers['content-length'] ?? 0) === 0) return destroy();
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= afterBytes) destroy();
      });
      req.on('end', destroy);
      return;
    }

    const injection = injections.find((i) => i.left > 0 && eligible(i.allRequests));
    if (injection) {
      injection.left--;
      entry.outcome = 'injected';
      req.resume(); // read the body first, as S3 does, so the browser sees an answer, not a reset
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${injection.code}</Code><Message>${injection.message}</Message><RequestId>injected</RequestId></Error>`;
        res.writeHead(injection.status, {
          'Content-Type': 'application/xml',
          'Access-Control-Allow-Origin': '*', // S3 sends CORS headers with errors too
          'Access-Control-Expose-Headers': 'ETag',
        });
        res.end(body);
      });
      return;
    }

    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  let listening = true;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    injectStatus(status, code, count = 1, { message, allRequests = false } = {}) {
      injections.push({ status, code, message: message ?? defaultMessage(code), left: count, allRequests });
    },
    cutConnections(on, { afterBytes = 64 * 1024 } = {}) {
      cut = on ? { afterBytes } : undefined;
    },
    async stop() {
      if (!listening) return;
      listening = false;
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async start() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    countRequests(filter = {}) {
      return requests.filter((r) =>
        Object.entries(filter).every(([name, value]) => r[name as keyof ProxiedRequest] === value),
      ).length;
    },
    reset() {
      requests.length = 0;
      injections = [];
      cut = undefined;
    },
  };
}

function defaultMessage(code: string): string {
  if (code === 'SignatureDoesNotMatch') {
    return 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
  }
  if (code === 'AccessDenied') return 'Access Denied';
  return code;
}
