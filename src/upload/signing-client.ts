/**
 * Client of a signing service that speaks Uppy Companion's S3 routes
 * (https://uppy.io/docs/companion/ and `@uppy/companion/src/server/controllers/s3`).
 * Every answer is validated here, at the boundary, so the uploader deals only in checked values.
 * No retries here: the uploader retries whole steps (sign + send) so re-signing comes for free.
 */
import { isAbortError } from '../shared/abort';
import type { Transport, TransportRequest, TransportResponse } from './transport';
import { UploadError, signerError } from './upload-error';

/** How to send a single-request upload, as `GET /s3/params` answers. */
export interface SingleUploadParams {
  /** PUT (raw body, our example server and older Companions) or POST (form, Companion 4+). */
  method: 'PUT' | 'POST';
  url: string;
  /** Headers to send with a PUT, exactly as signed (Content-Type above all). Lowercase names. */
  headers: Record<string, string>;
  /** Form fields to send before the file with a POST. */
  fields: Record<string, string>;
  /** Object key, when the service says (Companion's POST gives it in `fields.key`). */
  key?: string;
}

/** A part S3 already holds, as `GET /s3/multipart/:uploadId` lists it. */
export interface ListedPart {
  PartNumber: number;
  ETag: string;
  Size: number;
}

type Json = Record<string, unknown>;

/** Talks to one signing endpoint. */
export class SigningClient {
  readonly endpoint: string;

  /** @throws UploadError 'bad-endpoint' when `endpoint` is not an http(s) address. */
  constructor(endpoint: string, private readonly transport: Transport) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UploadError('bad-endpoint', `The upload endpoint "${endpoint}" is not a web address.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UploadError('bad-endpoint', `The upload endpoint must be an http(s) address, not ${url.protocol}.`);
    }
    this.endpoint = url.href.replace(/\/+$/, '');
  }

  /** `GET /s3/params?filename=&type=`: where and how to send a small file in one request. */
  async getUploadParameters(filename: string, type: string, signal: AbortSignal): Promise<SingleUploadParams> {
    const query = new URLSearchParams({ filename, type });
    const json = await this.call('GET', `/s3/params?${query}`, signal);
    const rawMethod = json['method'] ?? 'PUT';
    const method = typeof rawMethod === 'string' ? rawMethod.toUpperCase() : '';
    if (method !== 'PUT' && method !== 'POST') throw this.badAnswer('/s3/params', 'method must be PUT or POST');
    const params: SingleUploadParams = {
      method,
      url: this.string(json, 'url', '/s3/params'),
      headers: lowerCaseKeys(this.stringRecord(json, 'headers', '/s3/params')),
      fields: this.stringRecord(json, 'fields', '/s3/params'),
    };
    const key = typeof json['key'] === 'string' ? json['key'] : params.fields['key'];
    if (key !== undefined) params.key = key;
    return params;
  }

  /** `POST /s3/multipart`: starts a multipart upload. */
  async createMultipartUpload(filename: string, type: string, signal: AbortSignal): Promise<{ key: string; uploadId: string }> {
    const json = await this.call('POST', '/s3/multipart', signal, { filename, type, metadata: {} });
    return { key: this.string(json, 'key', '/s3/multipart'), uploadId: this.string(json, 'uploadId', '/s3/multipart') };
  }

  /** `GET /s3/multipart/:uploadId/:partNumber?key=`: a presigned URL for one part. */
  async signPart(key: string, uploadId: string, partNumber: number, signal: AbortSignal): Promise<string> {
    const route = `/s3/multipart/${encodeURIComponent(uploadId)}/${partNumber}`;
    return this.string(await this.call('GET', `${route}?${keyQuery(key)}`, signal), 'url', route);
  }

  /** `GET /s3/multipart/:uploadId?key=`: the parts S3 holds (throws on a service without ListParts). */
  async listParts(key: string, uploadId: string, signal: AbortSignal): Promise<ListedPart[]> {
    const route = `/s3/multipart/${encodeURIComponent(uploadId)}`;
    const json: unknown = await this.call('GET', `${route}?${keyQuery(key)}`, signal, undefined, true);
    if (!Array.isArray(json)) throw this.badAnswer(route, 'the answer must be an array of parts');
    return json.map((part: unknown) => {
      const p = (part ?? {}) as Json;
      if (typeof p['PartNumber'] !== 'number' || typeof p['ETag'] !== 'string') {
        throw this.badAnswer(route, 'each part needs PartNumber (number) and ETag (string)');
      }
      return { PartNumber: p['PartNumber'], ETag: p['ETag'], Size: typeof p['Size'] === 'number' ? p['Size'] : NaN };
    });
  }

  /** `POST /s3/multipart/:uploadId/complete?key=`: joins the parts into the object. */
  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: readonly { PartNumber: number; ETag: string }[],
    signal: AbortSignal,
  ): Promise<{ location: string | undefined }> {
    const route = `/s3/multipart/${encodeURIComponent(uploadId)}/complete`;
    const json = await this.call('POST', `${route}?${keyQuery(key)}`, signal, { parts });
    return { location: typeof json['location'] === 'string' ? json['location'] : undefined };
  }

  /** `DELETE /s3/multipart/:uploadId?key=`: drops the upload and its parts on the server. */
  async abortMultipartUpload(key: string, uploadId: string, signal: AbortSignal): Promise<void> {
    await this.call('DELETE', `/s3/multipart/${encodeURIComponent(uploadId)}?${keyQuery(key)}`, signal);
  }

  private async call(method: TransportRequest['method'], path: string, signal: AbortSignal, body?: Json): Promise<Json>;
  private async call(method: TransportRequest['method'], path: string, signal: AbortSignal, body: Json | undefined, anyJson: true): Promise<unknown>;
  private async call(method: TransportRequest['method'], path: string, signal: AbortSignal, body?: Json, anyJson = false): Promise<unknown> {
    const route = path.split('?')[0] ?? path;
    const what = `${method} ${route}`;
    const request: TransportRequest = { method, url: this.endpoint + path, signal, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      request.body = JSON.stringify(body);
      request.headers = { ...request.headers, 'content-type': 'application/json' };
    }
    let response: TransportResponse;
    try {
      response = await this.transport(request);
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new UploadError(
        'network',
        `Could not reach the upload endpoint ${new URL(this.endpoint).origin} (network down or server stopped, or it does not allow this page's origin).`,
        { cause: error },
      );
    }
    if (response.status === 404 && (route === '/s3/params' || route === '/s3/multipart')) {
      throw new UploadError('bad-endpoint', `The upload endpoint has no ${what} route (404): is it a Companion-style signing service?`, { status: 404 });
    }
    if (response.status < 200 || response.status > 299) throw signerError(response, what);
    if (method === 'DELETE' && response.body.trim() === '') return {};
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      throw this.badAnswer(route, 'the answer is not JSON');
    }
    if (!anyJson && (typeof json !== 'object' || json === null || Array.isArray(json))) {
      throw this.badAnswer(route, 'the answer must be a JSON object');
    }
    return json;
  }

  private string(json: Json, field: string, route: string): string {
    const value = json[field];
    if (typeof value !== 'string' || value === '') throw this.badAnswer(route, `${field} must be a non-empty string`);
    return value;
  }

  private stringRecord(json: Json, field: string, route: string): Record<string, string> {
    const value = json[field];
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      throw this.badAnswer(route, `${field} must be an object of strings`);
    }
    return { ...(value as Record<string, string>) };
  }

  private badAnswer(route: string, problem: string): UploadError {
    return new UploadError('bad-endpoint', `The upload endpoint's answer to ${route} is not a signing service's: ${problem}.`);
  }
}

function keyQuery(key: string): string {
  return new URLSearchParams({ key }).toString();
}

function lowerCaseKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name.toLowerCase(), value]));
}
