// The example signing service on its own: CORS, key prefix, validation, no URLs in its log.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPresignServer } from '../../examples/presign-server/presign-server.mjs';

const APP = 'https://app.example';
const log: string[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  server = await createPresignServer({
    endpoint: 'http://127.0.0.1:9', // never reached: signing a PUT needs no call to the bucket
    region: 'us-east-1',
    bucket: 'outputs',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'secret',
    forcePathStyle: true,
    allowedOrigin: APP,
    port: 0,
    host: '127.0.0.1',
    keyPrefix: 'in/',
    urlExpiresSeconds: 60,
    log: (line) => log.push(line),
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('presign server', () => {
  it('signs a PUT with the Content-Type, under the prefix, for the allowed origin', async () => {
    const response = await fetch(`${base}/s3/params?filename=My%20clip.mp4&type=video/webm`, { headers: { origin: APP } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    const params = (await response.json()) as { method: string; url: string; headers: Record<string, string>; key: string };
    expect(params.method).toBe('PUT');
    expect(params.headers).toEqual({ 'content-type': 'video/webm' });
    expect(params.key).toMatch(/^in\/[0-9a-f-]{36}-My-clip\.mp4$/);
    const url = new URL(params.url);
    expect(url.pathname).toBe(`/outputs/${params.key}`);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect([...url.searchParams.keys()].some((name) => /checksum/i.test(name))).toBe(false);
  });

  it('answers a preflight from the allowed origin and refuses other origins', async () => {
    const preflight = await fetch(`${base}/s3/multipart`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const other = await fetch(`${base}/s3/params?filename=a&type=b`, { headers: { origin: 'https://evil.example' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses keys outside its prefix and bad part numbers', async () => {
    expect((await fetch(`${base}/s3/multipart/u1/1?key=elsewhere/x`)).status).toBe(403);
    expect((await fetch(`${base}/s3/multipart/u1/0?key=in/x`)).status).toBe(400);
    expect((await fetch(`${base}/s3/multipart/u1/10001?key=in/x`)).status).toBe(400);
    expect((await fetch(`${base}/s3/params?type=video/mp4`)).status).toBe(400);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('signs a part without Content-Type (the browser sends none)', async () => {
    const { url } = (await (await fetch(`${base}/s3/multipart/u1/7?key=in/x`)).json()) as { url: string };
    const signed = new URL(url);
    expect(signed.searchParams.get('partNumber')).toBe('7');
    expect(signed.searchParams.get('uploadId')).toBe('u1');
    expect(signed.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });

  it('answers 502 when the bucket is unreachable', async () => {
    const response = await fetch(`${base}/s3/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'a.mp4', type: 'video/mp4', metadata: {} }),
    });
    expect(response.status).toBe(502);
  }, 30_000);

  it('logs method, path and status only, never a URL or a signature', () => {
    expect(log.length).toBeGreaterThan(5);
    for (const line of log) expect(line).toMatch(/^(GET|POST|DELETE|OPTIONS) \/\S* \d{3}$/);
    expect(log.join('\n')).not.toMatch(/X-Amz|Signature|\?/);
  });
});
