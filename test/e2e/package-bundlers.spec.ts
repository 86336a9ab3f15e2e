/**
 * Issue 20, "no copying by hand": a site that installs the packed tarball and calls
 * `createEncoder()` with no `assetsURL` and no files copied, built by Vite and by webpack 5
 * with no ffbatch-specific configuration (test/fixtures-site/bundlers). Its bundler ships the
 * worker and the ffmpeg core by itself: a job finishes (ffprobe). With the core's URL made to
 * 404, the job fails at once with the sentence for the site owner that names the URL.
 */
import { cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { durationOf, ffprobe, streamsOf } from '../support/ffprobe';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { installWithTarball, packLibrary, runIn } from '../support/scratch-site';
import { serveFolder, type ServedFolder } from '../support/served-folder';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUNDLERS = ['vite', 'webpack'] as const;
type Bundler = (typeof BUNDLERS)[number];

type Outcome = { status: string; name: string; base64: string } | { status: string; error: string | null; message: string; name: string };

let work = '';
let site = '';
const servers = new Map<Bundler, { served: ServedFolder; origin: string; dist: string }>();

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  work = await makeTempDir('ffbatch-bundlers-');
  const tarball = await packLibrary(work);
  site = path.join(work, 'site');
  await cp(path.join(ROOT, 'test/fixtures-site/bundlers'), site, { recursive: true });
  const manifest = {
    name: 'bundler-site',
    version: '0.0.0',
    private: true,
    type: 'module',
    // The versions this repository tests with (its lock says which exactly).
    devDependencies: { vite: '^8.3.8', webpack: '^5.106.0' },
  };
  await writeFile(path.join(site, 'package.json'), JSON.stringify(manifest, null, 2));
  await installWithTarball(site, tarball);
  await runIn(site, path.join(site, 'node_modules', '.bin', 'vite'), ['build', '--outDir', 'dist-vite', '--logLevel', 'warn']);
  await runIn(site, 'node', ['build-webpack.mjs']);

  for (const bundler of BUNDLERS) {
    const dist = path.join(site, `dist-${bundler}`);
    const served = await serveFolder(dist);
    servers.set(bundler, { served, dist, origin: served.origin });
  }
});

test.afterAll(async () => {
  for (const { served } of servers.values()) await served.close();
  if (work) await removeDir(work);
});

async function openSite(page: Page, bundler: Bundler): Promise<void> {
  await page.goto(`${servers.get(bundler)!.origin}/`);
  await page.waitForFunction(() => 'ffbatchTest' in window);
  await page.getByLabel('Files').setInputFiles(fixture('flower.mp4'));
}

function encode(page: Page, preset: string): Promise<Outcome> {
  return page.evaluate((id) => (window as unknown as { ffbatchTest: { encode(preset: string): Promise<Outcome> } }).ffbatchTest.encode(id), preset);
}

/** The core's glue as the bundler emitted it (a name of its own, with a hash): the one script that names the core's .wasm. */
async function emittedCore(dist: string): Promise<string> {
  const names = (await readdir(dist, { recursive: true })).filter((name) => name.endsWith('.js'));
  const cores: string[] = [];
  for (const name of names) if ((await readFile(path.join(dist, name), 'utf8')).includes('ffmpeg-core.wasm')) cores.push(name);
  expect(cores, `the scripts of ${dist} that name ffmpeg-core.wasm`).toHaveLength(1);
  return cores[0]!;
}

for (const bundler of BUNDLERS) {
  test(`${bundler}: createEncoder() with no assetsURL and nothing copied by hand runs a job`, async ({ page }) => {
    test.setTimeout(2 * 60_000);
    const { dist } = servers.get(bundler)!;
    // The bundler put the .wasm (32 MB) in the build by itself.
    const wasm = (await readdir(dist, { recursive: true })).filter((name) => name.endsWith('.wasm'));
    expect(wasm).toHaveLength(1);
    // A site that does not import ffbatch/uppy ships none of it (the plugin's own strings).
    const scripts = (await readdir(dist, { recursive: true })).filter((name) => name.endsWith('.js'));
    for (const name of scripts) expect((await readFile(path.join(dist, name), 'utf8')).includes('could not be converted: %{sentence}'), `${name} holds ffbatch/uppy`).toBe(false);
    await openSite(page, bundler);
    const outcome = await encode(page, 'mp3-audio');
    expect(outcome).toMatchObject({ status: 'done', name: 'flower.mp3' });
    const file = path.join(work, `${bundler}-flower.mp3`);
    await writeFile(file, Buffer.from((outcome as { base64: string }).base64, 'base64'));
    const probe = await ffprobe(file);
    expect(streamsOf(probe, 'audio').map((s) => s.codec_name)).toEqual(['mp3']);
    expect(streamsOf(probe, 'video')).toEqual([]);
    expect(Math.abs(durationOf(probe) - durationOf(await ffprobe(fixture('flower.mp4'))))).toBeLessThan(0.3);
  });

  test(`${bundler}: a core that answers 404 fails the job with a sentence naming its URL`, async ({ page }) => {
    const { dist, origin } = servers.get(bundler)!;
    const core = await emittedCore(dist);
    await rename(path.join(dist, core), path.join(dist, `${core}.gone`));
    try {
      await openSite(page, bundler);
      const started = Date.now();
      const outcome = await encode(page, 'mp3-audio');
      // The bound: the site owner learns it at once, not after a stall watchdog.
      expect(Date.now() - started).toBeLessThan(10_000);
      const url = `${origin}/${core.split(path.sep).join('/')}`;
      const sentence = `ffbatch could not load its ffmpeg core from ${url}: serve lib/assets/ there, or set assetsURL`;
      expect(outcome.status).toBe('failed');
      expect((outcome as { error: string }).error.startsWith(sentence), (outcome as { error: string }).error).toBe(true);
      expect(outcome).toMatchObject({ name: 'JobFailedError' });
      expect((outcome as { message: string }).message).toBe((outcome as { error: string }).error);
    } finally {
      await rename(path.join(dist, `${core}.gone`), path.join(dist, core));
    }
  });
}
