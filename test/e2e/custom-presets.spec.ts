/**
 * Your own presets: the form refuses with a sentence in its [role=alert] (a mistyped option
 * with ffmpeg's own line, from the dry run on a generated clip in a worker), saves as
 * `custom-<slug>`, survives a reload and an export/import round trip; the recipe's two
 * commands, as the form says to fix them, run like the built-in recipe presets (ffprobe).
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ffprobe, type Probe } from '../support/ffprobe';
import { makeTempDir, removeDir } from '../support/media';
import { addFiles, downloadFromJob, pressEncode, readJobs, setWorkers, waitForAllFinished } from './app-page';

let outDir: string;
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-custom-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

async function open(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'New preset' })).toBeVisible();
}

async function fill(page: Page, name: string, container: string, args: string): Promise<void> {
  await page.getByLabel('Preset name', { exact: true }).fill(name);
  // The ffmpeg-arguments form sits behind Advanced (issue 17); the choices are the default.
  const advanced = page.getByRole('button', { name: 'Advanced', exact: true });
  if ((await advanced.getAttribute('aria-pressed')) !== 'true') await advanced.click();
  await page.getByLabel('Container', { exact: true }).selectOption({ label: container });
  await page.getByLabel('ffmpeg arguments', { exact: true }).fill(args);
  await page.getByRole('button', { name: 'Save preset' }).click();
}

test('custom presets: refusals, save, reload, export and import', async ({ page }, testInfo) => {
  await open(page);
  const form = page.locator('form.preset-form');
  await page.getByRole('button', { name: 'New preset' }).click();

  await fill(page, 'Recipe FLV', 'FLV', '-ar 44100 -ab 56 -f flv -s 320x240 -b 200k -r 25');
  await expect(form.getByRole('alert')).toContainText('write -b:a 56k for -ab 56');
  await page.screenshot({ path: testInfo.outputPath('custom-refused.png'), fullPage: true });

  await fill(page, 'Recipe FLV', 'FLV', '-i other.mp4 -b:v 200k');
  await expect(form.getByRole('alert')).toContainText('Leave out -i');
  await fill(page, 'Recipe FLV', 'FLV', "-vf 'movie=x.png'");
  await expect(form.getByRole('alert')).toContainText('movie filter opens files');

  await fill(page, 'Recipe FLV', 'FLV', '-ar 44100 -b:a 56k -f flv -s 320x240 -b 200k -r 25');
  await expect(form).toBeHidden();
  const box = page.locator('input[type=checkbox][name=preset][value="custom-recipe-flv"]');
  await expect(box).toHaveCount(1);
  await page.getByRole('button', { name: 'New preset' }).click();
  await fill(page, 'Small mail', 'MP4', '-c:v libx264 -preset veryfast -crf 28 -vf scale=-2:360 -c:a aac -b:a 96k');
  await expect(page.locator('input[name=preset][value="custom-small-mail"]')).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('custom-saved.png'), fullPage: true });

  await page.reload();
  await expect(page.locator('input[name=preset][value^="custom-"]')).toHaveCount(2);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export presets' }).click()]);
  const file = path.join(outDir, download.suggestedFilename());
  await download.saveAs(file);
  page.on('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Delete Recipe FLV' }).click();
  await page.getByRole('button', { name: 'Delete Small mail' }).click();
  await expect(page.locator('input[name=preset][value^="custom-"]')).toHaveCount(0);
  await page.locator('#import-presets').setInputFiles(file);
  await expect(page.locator('input[name=preset][value^="custom-"]')).toHaveCount(2);
  await page.reload();
  await expect(page.locator('input[name=preset][value="custom-recipe-flv"]')).toHaveCount(1);
  await expect(page.locator('input[name=preset][value="custom-small-mail"]')).toHaveCount(1);
});

const FLOWER = '/work/shared/fixtures/flower.mp4';
// The recipe's two commands between input and output, as written in 2010 …
const FLV_2010 = '-ar 44100 -ab 56 -f flv -s 320x240 -b 200k -r 25';
const MP4_2010 = '-acodec libfaac -ab 128kb -vcodec mpeg4 -b 1200kb -mbd 2 -flags +4mv -cmp 2 -subcmp 2 -s 320x180 -b 1200kb -s 320x180 -r 25';

/** Applies every "write X for Y" of the form's refusal, as a person would. */
function applyFixes(args: string, alert: string): string {
  let fixed = args;
  for (const [, write, found] of alert.matchAll(/write (.+?) for (.+?) \(/g)) fixed = fixed.replace(found ?? '', write ?? '');
  return fixed;
}

function summary(probe: Probe): Record<string, unknown> {
  const video = probe.streams.find((s) => s.codec_type === 'video');
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  return {
    format: probe.format.format_name,
    video: video?.codec_name,
    width: video?.width,
    height: video?.height,
    rate: video?.avg_frame_rate,
    audio: audio?.codec_name,
    sampleRate: audio?.sample_rate,
    channels: audio?.channels,
  };
}

test("the recipe's commands run as custom presets like the built-in recipe presets; a typo is refused with ffmpeg's line", async ({ page }, testInfo) => {
  test.setTimeout(8 * 60_000);
  await open(page);
  const form = page.locator('form.preset-form');
  const alert = form.getByRole('alert');
  await page.getByRole('button', { name: 'New preset' }).click();

  // A mistyped option passes the static checks; the dry run on a generated clip refuses it with ffmpeg's own line.
  await fill(page, 'Typo', 'MP4', '-c:v libx264 -crff 23');
  await expect(alert).toContainText("Unrecognized option 'crff'", { timeout: 60_000 });
  await expect(alert).toContainText('ffmpeg refused these arguments on a test clip');
  await expect(page.locator('input[name=preset][value="custom-typo"]')).toHaveCount(0);
  // An encoder the core lacks is refused from the core's own list.
  await fill(page, 'Typo', 'MP4', '-c:a libfdk_aac');
  await expect(alert).toContainText('This ffmpeg has no encoder named "libfdk_aac"');

  for (const [name, container, written] of [
    ['Recipe FLV', 'FLV', FLV_2010],
    ['Recipe MP4', 'MP4', MP4_2010],
  ] as const) {
    await fill(page, name, container, written);
    await expect(alert).toContainText('Written for the ffmpeg of 2010');
    await fill(page, name, container, applyFixes(written, (await alert.textContent()) ?? ''));
    await expect(form).toBeHidden({ timeout: 60_000 });
    if (name === 'Recipe FLV') await page.getByRole('button', { name: 'New preset' }).click();
  }
  const custom = { 'custom-recipe-flv': 'flv-320x240', 'custom-recipe-mp4': 'mp4-mpeg4-320x180' } as const;

  await addFiles(page, [FLOWER]);
  await setWorkers(page, 2);
  for (const id of [...Object.keys(custom), ...Object.values(custom)]) await page.locator(`input[name=preset][value="${id}"]`).check();
  await pressEncode(page);
  await waitForAllFinished(page, 4);
  await page.screenshot({ path: testInfo.outputPath('custom-ran.png'), fullPage: true });
  const jobs = await readJobs(page);
  expect(jobs.map((j) => `${j.preset}: ${j.state} ${j.alert ?? ''}`).sort()).toEqual(
    ['custom-recipe-flv', 'custom-recipe-mp4', 'flv-320x240', 'mp4-mpeg4-320x180'].map((id) => `${id}: done `),
  );

  const probes = new Map<string, Probe>();
  for (const job of jobs) {
    const element = page.locator(`[data-job-id="${job.id}"][data-state]`);
    const { file, downloadAttribute } = await downloadFromJob(page, element, outDir);
    expect(downloadAttribute.startsWith('flower')).toBe(true);
    probes.set(job.preset, await ffprobe(file));
  }
  for (const [id, builtIn] of Object.entries(custom)) {
    const job = page.locator(`[data-job-id][data-state][data-preset="${id}"]`);
    await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
    await expect(job).toContainText('verified');
    const mine = summary(probes.get(id) as Probe);
    expect(mine, id).toEqual(summary(probes.get(builtIn) as Probe));
    expect(mine['rate']).toBe('25/1');
  }
  expect(summary(probes.get('custom-recipe-flv') as Probe)).toMatchObject({ format: 'flv', video: 'flv1', width: 320, height: 240, audio: 'mp3', sampleRate: '44100' });
  expect(summary(probes.get('custom-recipe-mp4') as Probe)).toMatchObject({ video: 'mpeg4', width: 320, height: 180, audio: 'aac' });
});
