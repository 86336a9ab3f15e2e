/**
 * Not one request leaves the app's origin during a whole session (load, probe, encode,
 * download), workers included; the ffmpeg core's .wasm comes from the app's own origin.
 */
import { expect, test } from '@playwright/test';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, jobFor, openApp, pressEncode, recordRequests, setWorkers, tickPresets, waitForAllFinished, type PresetId } from './app-page';

test('every request stays on the app origin, workers included; the core wasm is served by the app', async ({ page, context, baseURL }) => {
  test.setTimeout(4 * 60_000);
  const origin = new URL(baseURL ?? 'http://127.0.0.1:4317/').origin;
  const traffic = recordRequests(context, page);
  const workerUrls: string[] = [];
  page.on('worker', (worker) => workerUrls.push(worker.url()));
  const outDir = await makeTempDir('ffbatch-privacy-');

  await openApp(page);
  await setWorkers(page, 2);
  await addFiles(page, [fixture('flower.mp4')]);
  const presets: PresetId[] = ['flv-320x240', 'mp4-h264-480p', 'mp3-audio'];
  await tickPresets(page, presets);
  await pressEncode(page);
  await waitForAllFinished(page, presets.length, 4 * 60_000);
  for (const preset of presets) {
    const job = jobFor(page, 'flower.mp4', preset);
    await expect(job).toHaveAttribute('data-state', 'done');
    await downloadFromJob(page, job, outDir);
  }
  await removeDir(outDir);

  const urls = traffic.urls();
  console.log(`[privacy] ${urls.length} distinct URLs:\n  ${urls.join('\n  ')}`);
  expect(urls.length, 'requests were recorded at all').toBeGreaterThan(0);
  expect(traffic.foreign(origin), 'requests outside the app origin').toEqual([]);

  expect(workerUrls.length, 'the page started its workers').toBeGreaterThan(0);
  for (const url of workerUrls) expect(url.startsWith('blob:') || new URL(url).origin === origin, `worker script ${url}`).toBe(true);

  // The core's .wasm: requested from the app origin and served from it (200, application/wasm).
  // The service worker's precache fetches it too: only the page's and its workers' own requests count here.
  const wasmRequests = traffic.requests().filter((r) => new URL(r.url()).pathname.endsWith('.wasm') && r.serviceWorker() === null);
  // Compiled once per page: the probe worker and both encode workers share the first worker's module.
  expect(workerUrls.length, 'three workers at least (probe + 2 encode)').toBeGreaterThanOrEqual(3);
  expect(wasmRequests.length, 'the core .wasm was fetched once for every worker of the page').toBe(1);
  for (const request of wasmRequests) {
    expect(new URL(request.url()).origin).toBe(origin);
    const response = await request.response();
    expect(response?.status(), `${request.url()} answered`).toBe(200);
    expect(response?.headers()['content-type']).toBe('application/wasm');
  }
  const coreScripts = urls.filter((url) => /ffmpeg-core[^/]*\.js$/.test(new URL(url).pathname));
  expect(coreScripts.length, 'the core script was loaded').toBeGreaterThan(0);
});
