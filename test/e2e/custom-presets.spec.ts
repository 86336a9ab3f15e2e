/**
 * Your own presets (behind ?customPresets=1 until the engine runs them): the form refuses
 * with a sentence in its [role=alert], saves as `custom-<slug>`, survives a reload and an
 * export/import round trip. (The dry run on a generated clip needs the worker: not yet.)
 */
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { makeTempDir, removeDir } from '../support/media';

let outDir: string;
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-custom-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

async function open(page: Page): Promise<void> {
  await page.goto('/?customPresets=1');
  await expect(page.getByRole('button', { name: 'New preset' })).toBeVisible();
}

async function fill(page: Page, name: string, container: string, args: string): Promise<void> {
  await page.getByLabel('Preset name', { exact: true }).fill(name);
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
