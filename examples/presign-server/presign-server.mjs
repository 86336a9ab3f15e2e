// A small signing service for ffbatch's uploads, speaking the S3 routes of Uppy's Companion
// (so the page, Uppy or any Companion client can use it). The bucket's keys stay here; the
// page only ever sees presigned URLs, which are never logged.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

const MAX_JSON_BYTES = 1024 * 1024; // a complete request lists up to 10 000 parts

/**
 * Reads the configuration from environment variables (see README.md).
 * @param {Record<string, string | undefined>} env
 */
export function configFromEnv(env = process.env) {
  const required = (name) => {
    const value = env[name];
    if (!value) throw new Error(`${name} must be set (see examples/presign-server/README.md).`);
    return value;
  };
  return {
    endpoint: env.S3_ENDPOINT || undefined,
    region: env.S3_REGION || 'us-east-1',
    bucket: required('S3_BUCKET'),
    accessKeyId: required('S3_ACCESS_KEY_ID'),
    secretAccessKey: required('S3_SECRET_ACCESS_KEY'),
    forcePathStyle: /^(1|true|yes)$/i.test(env.S3_FORCE_PATH_STYLE ?? ''),
    allowedOrigin: required('ALLOWED_ORIGIN'),
    port: Number(env.PORT ?? 3020),
    host: env.HOST || undefined,
    keyPrefix: env.KEY_PREFIX ?? 'uploads/',
    urlExpiresSeconds: Number(env.URL_EXPIRES_SECONDS ?? 900),
  };
}

/**
 * Starts the signing service and resolves once it listens (port 0 picks a free one).
 * @param {import('./presign-server.d.mts').PresignServerConfig} config
 * @returns {Promise<http.Server>}
 */
export async function createPresignServer(config) {
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Since SDK 3.729 presigned URLs otherwise carry a CRC32 of an empty body, which the
    // bucket then checks against the real body and rejects.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const origins = config.allowedOrigin.split(',').map((origin) => origin.trim()).filter(Boolean);
  const expiresIn = config.urlExpiresSeconds;
  const log = config.log ?? (() => {});
  const bucket = config.bucket;

  // For a PUT, sign Content-Type too, so the bucket takes only exactly the type that was signed.
  // Never for a part: its request carries the SDK's default type, which the browser does not send.
  const presign = (command, signContentType = false) =>
    getSignedUrl(s3, command, { expiresIn, ...(signContentType ? { signableHeaders: new Set(['content-type']) } : {}) });

  const routes = {
    'GET /s3/params': async ({ query }) => {
      const filename = requireString(query.get('filename'), 'filename');
      const type = query.get('type') || 'application/octet-stream';
      const key = newKey(config.keyPrefix, filename);
      const url = await presign(new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: type }), true);
      return { method: 'PUT', url, fields: {}, headers: { 'content-type': type }, key, expires: expiresIn };
    },
    'POST /s3/multipart': async ({ body }) => {
      const filename = requireString(body.filename, 'filename');
      const type = typeof body.type === 'string' && body.type ? body.type : 'application/octet-stream';
      const key = newKey(config.keyPrefix, filename);
      const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: type }));
      return { key: out.Key ?? key, uploadId: out.UploadId, bucket };
    },
    'GET /s3/multipart/:uploadId/:partNumber': async ({ params, key }) => {
      const partNumber = Number(params.partNumber);
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
        throw new HttpError(400, 'partNumber must be a whole number from 1 to 10000.');
      }
      const command = new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: params.uploadId, PartNumber: partNumber });
      return { url: await presign(command), expires: expiresIn };
    },
    'GET /s3/multipart/:uploadId': async ({ params, key }) => {
      const parts = [];
      let marker;
      do {
        const out = await s3.send(
          new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: params.uploadId, PartNumberMarker: marker }),
        );
        for (const { PartNumber, ETag, Size } of out.Parts ?? []) parts.push({ PartNumber, ETag, Size });
        marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
      } while (marker);
      return parts;
    },
    'POST /s3/multipart/:uploadId/complete': async ({ params, key, body }) => {
      const parts = body.parts;
      const valid = Array.isArray(parts) && parts.length > 0 &&
        parts.every((p) => Number.isInteger(p?.PartNumber) && typeof p?.ETag === 'string');
      if (!valid) throw new HttpError(400, 'parts must be a non-empty array of { PartNumber, ETag }.');
      const out = await s3.send(new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: params.uploadId,
        MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) },
      }));
      return { location: out.Location, key: out.Key ?? key, bucket };
    },
    'DELETE /s3/multipart/:uploadId': async ({ params, key }) => {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: params.uploadId }));
      return {};
    },
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status = 500;
    try {
      if (!setCors(req, res, origins)) {
        status = 403;
        return sendJson(res, status, { error: 'This origin is not allowed.' });
      }
      if (req.method === 'OPTIONS') {
        status = 204;
        res.writeHead(status).end();
        return;
      }
      const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
      if (!match) {
        status = 404;
        return sendJson(res, status, { error: 'No such route.' });
      }
      const body = req.method === 'POST' ? await readJson(req) : {};
      let key;
      if (match.route.includes(':uploadId')) {
        key = requireString(url.searchParams.get('key'), 'key');
        // Sign only inside our own prefix: the page must not reach other objects.
        if (!key.startsWith(config.keyPrefix)) throw new HttpError(403, 'key is outside this service\'s prefix.');
      }
      const result = await match.handler({ params: match.params, query: url.searchParams, body, key });
      status = 200;
      sendJson(res, status, result);
    } catch (error) {
      ({ status } = errorAnswer(error));
      sendJson(res, status, { error: errorAnswer(error).message, ...(error?.name ? { code: error.name } : {}) });
    } finally {
      log(`${req.method} ${url.pathname} ${status}`); // path only: the query could carry a key name, never a URL
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

class HttpError extends Error {
  name = 'HttpError';
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Status and message to answer with: our own 4xx as is, the bucket's 4xx passed on, the rest 502. */
function errorAnswer(error) {
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  const s3Status = error?.$metadata?.httpStatusCode;
  if (s3Status >= 400 && s3Status < 500) {
    return { status: s3Status, message: `The bucket answered ${s3Status} ${error.name}.` };
  }
  return { status: 502, message: `The bucket could not be reached or failed (${error?.name ?? 'Error'}).` };
}

function setCors(req, res, origins) {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser cross-origin call (curl, a test)
  const allowed = origins.includes('*') ? '*' : origins.includes(origin) ? origin : undefined;
  if (!allowed) return false;
  res.setHeader('Access-Control-Allow-Origin', allowed);
  res.setHeader('Vary', 'Origin');
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  return true;
}

function matchRoute(routes, method, pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/');
  for (const [route, handler] of Object.entries(routes)) {
    const [routeMethod, routePath] = route.split(' ');
    const pattern = routePath.split('/');
    if (routeMethod !== method || pattern.length !== parts.length) continue;
    const params = {};
    const same = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return parts[i] !== '';
      }
      return segment === parts[i];
    });
    if (same) return { route, handler, params };
  }
  return undefined;
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_JSON_BYTES) throw new HttpError(413, 'The JSON body is too large.');
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof body !== 'object' || body === null) throw new Error('not an object');
    return body;
  } catch {
    throw new HttpError(400, 'The body must be a JSON object.');
  }
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(value));
}

function requireString(value, name) {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `${name} is required.`);
  return value;
}

/** A fresh key per upload, so two outputs with one name never overwrite each other. */
function newKey(prefix, filename) {
  const safe = filename.normalize('NFC').replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(-200) || 'file';
  return `${prefix}${randomUUID()}-${safe}`;
}
