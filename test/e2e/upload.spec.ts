/**
 * Uploads from the page to an S3-compatible bucket through presigned URLs, end to end:
 * real Chromium, the production build, s3rver on loopback behind a fault proxy, and the
 * example signing service (AWS SDK). Every check compares the bytes the page hands out as
 * the download with the object in the bucket (SHA-256).
 *
 *   page ──► [gate] ──► signing service ──► proxy ──► s3rver
 *     └──────── presigned PUTs ────────────► proxy ──► s3rver
 *
 * The gate (test/support/upload-gate.ts) only holds chosen signing calls, so a test can stop
 * an upload at a known point (e.g. part 1 sent, part 2 not yet signed).
 */
import { statSync } from 'node:fs';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startS3Stack, type S3Stack } from '../support/s3-stack';
import { startSigningGate, type SigningGate } from '../support/upload-gate';
import {
  DEFAULT_PART_SIZE,
  MiB,
  downloadOutput,
  encode as encodeAll,
  fixture,
  jobFor,
  makeLongSource,
  makeTempDir,
  objectKeyFor,
  openAppWith,
  partPutsByNumber,
  readJobs,
  removeDir,
  setUploadEndpoint,
  signerCalls,
  storedUpload,
  tickUploadWhenDone,
  uploadButton,
  type PresetId,
} from './upload-page';

const MULTIPART_THRESHOLD = 5 * MiB;
/** Uploads on loopback take well under a second; giving up on a dead bucket takes up to ~8 s. */
const UPLOAD_TIMEOUT = 30_000;
const ENCODE_TIMEOUT = 3 * 60_000;
/** The uploader's retry policy: 5 tries in all (src/upload/retry-policy.ts). */
const TRIES = 5;

let stack: S3Stack;
let gate: SigningGate;
let dir: string;
let longSource: string | undefined;
let consoleLines: string[];

test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-upload-');
});

test.afterAll(async () => {
  await removeDir(dir);
});

test.beforeEach(async ({ page }) => {
  stack = await startS3Stack({ allowedOrigin: '*' });
  gate = await startSigningGate(stack.endpoint);
  consoleLines = [];
  page.on('console', (message) => consoleLines.push(message.text()));
});

test.afterEach(async ({ page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    // What each side saw, to tell a page bug from a test or stack problem.
    const jobs = await readJobs(page).catch((error: unknown) => String(error));
    const seen = { jobs, signer: stack.signerLog, gate: gate.requests, bucket: stack.proxy.requests, console: consoleLines };
    await testInfo.attach('upload-traffic.json', { body: JSON.stringify(seen, null, 2), contentType: 'application/json' });
    if (process.env['FFBATCH_UPLOAD_DEBUG']) console.log(JSON.stringify(seen, null, 2));
  }
  // The issue: presigned URLs are never written to logs.
  expect(consoleLines.filter((line) => /X-Amz-(Signature|Credential)/i.test(line))).toEqual([]);
  await gate.close();
  await stack.close();
});

async function longSourceFile(): Promise<string> {
  longSource ??= await makeLongSource(dir);
  return longSource;
}

function encode(page: Page, files: string[], presets: PresetId[]): Promise<void> {
  return encodeAll(page, files, presets, ENCODE_TIMEOUT);
}

/** Downloads the job's output through its link: its file, name and SHA-256. */
function downloadHash(page: Page, job: Locator): Promise<{ sha256: string; name: string; file: string }> {
  return downloadOutput(page, job, dir);
}

async function expectUploadState(job: Locator, state: 'uploading' | 'uploaded' | 'upload-failed', message?: string): Promise<void> {
  await expect(job, message).toHaveAttribute('data-upload', state, { timeout: UPLOAD_TIMEOUT });
}

test('single PUT: the object in the bucket is the output byte for byte, with its Content-Type', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 60_000);
  const origins = new Set<string>();
  page.on('request', (request) => origins.add(new URL(request.url()).origin));
  await openAppWith(page);
  await encode(page, [fixture('flower.mp4')], ['flv-320x240']);
  const job = jobFor(page, 'flower.mp4', 'flv-320x240');
  await expect(job).not.toHaveAttribute('data-upload');
  const output = await downloadHash(page, job);

  await setUploadEndpoint(page, stack.endpoint);
  await uploadButton(job).click();
  await expectUploadState(job, 'uploaded');

  const key = await objectKeyFor(stack, output.name);
  expect(await stack.getObjectSha256(key)).toBe(output.sha256);
  expect((await stack.headObject(key)).contentType).toBe('video/x-flv');
  // One PUT of the whole file, no multipart.
  const bucketCalls = stack.proxy.requests.filter((r) => r.fromBrowser && r.method !== 'OPTIONS');
  expect(bucketCalls.map((r) => r.method)).toEqual(['PUT']);
  expect(bucketCalls[0]?.query).not.toHaveProperty('uploadId');
  expect(signerCalls(stack, /multipart/)).toEqual([]);
  // The job says where the object went; the Upload button is gone; nothing alarming shown.
  await expect(job).toContainText(key);
  await expect(uploadButton(job)).toBeHidden();
  await expect(job.locator('[role=alert]')).toHaveCount(0);
  // The page spoke only to itself, the signing service and the bucket.
  const app = new URL(page.url()).origin;
  expect([...origins].sort()).toEqual([app, stack.endpoint, stack.proxy.url].sort());
});

test('one-off: a presigned PUT URL pasted into a finished job uploads it, no endpoint needed', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 60_000);
  await openAppWith(page);
  await encode(page, [fixture('flower.mp4')], ['mp3-audio']);
  const job = jobFor(page, 'flower.mp4', 'mp3-audio');
  const output = await downloadHash(page, job);
  // No endpoint set: the endpoint's Upload button is not offered, the one-off form is.
  await expect(uploadButton(job)).toBeHidden();
  const key = 'one-off/flower.mp3';
  const url = await stack.presignPut(key, 'audio/mpeg');
  await job.getByText('Presigned URL…').click();
  await job.getByLabel('Presigned PUT URL').fill(url);
  await job.getByRole('button', { name: 'Send', exact: true }).click();
  await expectUploadState(job, 'uploaded');
  expect(await stack.getObjectSha256(key)).toBe(output.sha256);
  expect((await stack.headObject(key)).contentType).toBe('audio/mpeg');
  expect(signerCalls(stack, /./)).toEqual([]);
});

test('multipart: an output over the threshold goes up in 8 MiB parts and the object is whole', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 90_000);
  const source = await longSourceFile();
  await openAppWith(page, { multipartThreshold: MULTIPART_THRESHOLD });
  await encode(page, [source], ['mp4-mpeg4-320x180']);
  const job = jobFor(page, 'long-trailer.mp4', 'mp4-mpeg4-320x180');
  const output = await downloadHash(page, job);
  const size = statSync(output.file).size;
  expect(size, 'the output needs more than one part').toBeGreaterThan(DEFAULT_PART_SIZE);
  const parts = Math.ceil(size / DEFAULT_PART_SIZE);

  await setUploadEndpoint(page, stack.endpoint);
  await uploadButton(job).click();
  await expectUploadState(job, 'uploaded');

  const key = await objectKeyFor(stack, output.name);
  expect(await stack.getObjectSha256(key)).toBe(output.sha256);
  expect((await stack.headObject(key)).contentType).toBe('video/mp4');
  // Each part PUT once, and no single PUT of the whole file.
  expect(Object.fromEntries(partPutsByNumber(stack))).toEqual(Object.fromEntries(Array.from({ length: parts }, (_, i) => [i + 1, 1])));
  expect(stack.proxy.requests.filter((r) => r.fromBrowser && r.method === 'PUT' && r.query['partNumber'] === undefined)).toEqual([]);
  expect(signerCalls(stack, /^POST \/s3\/multipart \d+$/)).toEqual(['POST /s3/multipart 200']);
  expect(signerCalls(stack, /^POST .*\/complete \d+$/)).toEqual([expect.stringMatching(/^POST \/s3\/multipart\/[^/]+\/complete 200$/)]);
  await expect(job).toContainText(key);
});

test('Upload when done: every output of a batch goes up by itself', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 60_000);
  await openAppWith(page);
  await setUploadEndpoint(page, stack.endpoint);
  await tickUploadWhenDone(page);
  const sources = ['flower.mp4', 'friday.mp4', 'Big_Buck_Bunny_180_10s.webm'];
  await encode(page, sources.map(fixture), ['flv-320x240']);

  // Nobody clicked Upload: ticking the box is all it takes.
  for (const source of sources) {
    await expectUploadState(jobFor(page, source, 'flv-320x240'), 'uploaded', `${source}: "Upload when done" is ticked, so its output goes up without a click`);
  }
  const objects = await stack.listObjects();
  expect(objects).toHaveLength(sources.length);
  for (const source of sources) {
    const job = jobFor(page, source, 'flv-320x240');
    const output = await downloadHash(page, job);
    expect(await stack.getObjectSha256(await objectKeyFor(stack, output.name)), `${output.name} in the bucket`).toBe(output.sha256);
  }
});

test('bucket gone mid-upload: retries, then upload-failed saying why; the output stays; Retry uploads it', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 2 * 60_000);
  await openAppWith(page);
  await encode(page, [fixture('flower.mp4')], ['flv-320x240']);
  const job = jobFor(page, 'flower.mp4', 'flv-320x240');
  const before = await downloadHash(page, job);

  // The upload starts and gets its presigned URL; the bucket goes away before the bytes arrive.
  await setUploadEndpoint(page, gate.url);
  const firstSigning = gate.hold('GET', /^\/s3\/params$/, 1);
  await uploadButton(job).click();
  await firstSigning.waitForCaught(1);
  await expectUploadState(job, 'uploading');
  await stack.proxy.stop();
  firstSigning.release();

  await expectUploadState(job, 'upload-failed');
  // Retried per the policy (each try signs afresh), then gave up with a sentence that says why.
  expect(signerCalls(stack, /^GET \/s3\/params 200$/)).toHaveLength(TRIES);
  await expect(job.locator('[role=alert]')).toHaveText(/Could not reach the upload server.*network down or server stopped/);
  await expect(uploadButton(job, 'Retry')).toBeVisible();
  expect(await stack.listObjects()).toEqual([]);
  // The output is still there, intact.
  await expect(job).toHaveAttribute('data-state', 'done');
  expect((await downloadHash(page, job)).sha256).toBe(before.sha256);

  await stack.proxy.start();
  await uploadButton(job, 'Retry').click();
  await expectUploadState(job, 'uploaded');
  await expect(job.locator('[role=alert]')).toHaveCount(0);
  expect(await stack.getObjectSha256(await objectKeyFor(stack, before.name))).toBe(before.sha256);
});

test('403 SignatureDoesNotMatch: upload-failed with the signature message, not retried; Retry uploads it', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 60_000);
  await openAppWith(page);
  await encode(page, [fixture('flower.mp4')], ['flv-320x240']);
  const job = jobFor(page, 'flower.mp4', 'flv-320x240');
  const output = await downloadHash(page, job);

  await setUploadEndpoint(page, stack.endpoint);
  stack.proxy.injectStatus(403, 'SignatureDoesNotMatch', 1);
  await uploadButton(job).click();
  await expectUploadState(job, 'upload-failed');
  await expect(job.locator('[role=alert]')).toHaveText(/rejected the upload signature \(403 SignatureDoesNotMatch\)/);
  // A bad signature does not get better by trying again: one PUT only.
  expect(stack.proxy.countRequests({ method: 'PUT', fromBrowser: true })).toBe(1);
  expect(stack.proxy.countRequests({ method: 'PUT', outcome: 'injected' })).toBe(1);
  expect(await stack.listObjects()).toEqual([]);

  await uploadButton(job, 'Retry').click();
  await expectUploadState(job, 'uploaded');
  expect(await stack.getObjectSha256(await objectKeyFor(stack, output.name))).toBe(output.sha256);
});

test('reload during a multipart upload: it resumes after part 1 without sending it again, and the object is whole', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT + 2 * 60_000);
  const source = await longSourceFile();
  await openAppWith(page, { multipartThreshold: MULTIPART_THRESHOLD });
  await encode(page, [source], ['mp4-mpeg4-320x180']);
  const job = jobFor(page, 'long-trailer.mp4', 'mp4-mpeg4-320x180');
  const jobId = (await job.getAttribute('data-job-id')) ?? '';
  const output = await downloadHash(page, job);
  const size = statSync(output.file).size;
  expect(size, 'the output needs more than one part').toBeGreaterThan(DEFAULT_PART_SIZE);
  const parts = Math.ceil(size / DEFAULT_PART_SIZE);

  // Part 1 goes up; the signing of every later part is held, so the upload stops there.
  await setUploadEndpoint(page, gate.url);
  const laterParts = gate.hold('GET', /^\/s3\/multipart\/[^/]+\/([2-9]|\d\d+)$/, parts - 1);
  await uploadButton(job).click();
  await expectUploadState(job, 'uploading');
  await expect.poll(async () => (await storedUpload(page, jobId))?.resume?.parts.map((p) => p.PartNumber), { timeout: UPLOAD_TIMEOUT }).toEqual([1]);
  expect(partPutsByNumber(stack).get(1)).toBe(1);
  expect(laterParts.caught).toBeGreaterThanOrEqual(1);

  // Reload: the page comes back with the output, says it is uploading, and goes on.
  const afterReload = gate.hold('GET', /^\/s3\/multipart\/[^/]+\/\d+$/);
  await page.reload();
  await expect(job).toHaveAttribute('data-state', 'done');
  await expectUploadState(job, 'uploading');
  await afterReload.waitForCaught(1);
  // It picks up from the bytes of part 1, not from 0 %.
  await expect(job).toContainText(`Uploading ${Math.round((DEFAULT_PART_SIZE / size) * 100)}%`);
  laterParts.release();
  afterReload.release();
  await expectUploadState(job, 'uploaded');

  // Part 1 was sent once in all; every other part once; one multipart upload, not a second one.
  expect(Object.fromEntries(partPutsByNumber(stack))).toEqual(Object.fromEntries(Array.from({ length: parts }, (_, i) => [i + 1, 1])));
  expect(signerCalls(stack, /^POST \/s3\/multipart \d+$/)).toEqual(['POST /s3/multipart 200']);
  const key = await objectKeyFor(stack, output.name);
  expect(await stack.getObjectSha256(key)).toBe(output.sha256);
  expect((await stack.headObject(key)).size).toBe(size);
});
