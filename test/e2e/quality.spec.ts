/**
 * Measured quality (issue 19): every finished video job carries the PSNR and SSIM the page
 * measured against its source, which agree with native ffmpeg's psnr and ssim filters over
 * every frame (source lanczos-scaled to the output's size) within 0.5 dB and 0.01, on both
 * routes; the score survives a reload.
 */
import { expect, test, type Page } from '@playwright/test';
import { fixture, makeTempDir, removeDir } from '../support/media';
import { nativeFramePsnr, nativeScore } from '../support/native-quality';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, pressEncode, tickPresets, waitForAllFinished } from './app-page';

test.describe.configure({ mode: 'serial' });

let outDir = '';
test.beforeAll(async () => {
  outDir = await makeTempDir('ffbatch-quality-');
});
test.afterAll(async () => {
  await removeDir(outDir);
});

async function open(page: Page, query: string): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByRole('button', { name: 'Encode', exact: true })).toBeVisible();
}

const CASES = [
  // Auto on Debian's Chromium: the fast route (OpenH264) keeps flower's 960×540.
  { query: '?engine=auto', preset: 'mp4-h264-720p', engine: 'webcodecs' },
  // ffmpeg.wasm's x264, scaled to 854×480: the reference is scaled too.
  { query: '?engine=ffmpeg', preset: 'mp4-h264-480p', engine: 'ffmpeg' },
] as const;

for (const c of CASES) {
  test(`flower.mp4 → ${c.preset} on ${c.engine}: the page's PSNR/SSIM match native ffmpeg's over every frame, and survive a reload`, async ({ page }) => {
    test.setTimeout(ENCODE_TIMEOUT);
    await open(page, c.query);
    if (c.engine === 'webcodecs') {
      const h264 = await page.evaluate(async () => (await VideoEncoder.isConfigSupported({ codec: 'avc1.640028', width: 1280, height: 720 }).catch(() => null))?.supported === true);
      test.skip(!h264, "this Chromium has no H.264 VideoEncoder (Debian's /usr/bin/chromium has OpenH264)");
    }
    await addFiles(page, [fixture('flower.mp4')]);
    await tickPresets(page, [c.preset]);
    await pressEncode(page);
    await waitForAllFinished(page, 1);
    const job = jobFor(page, 'flower.mp4', c.preset);
    await expect(job, await job.innerText()).toHaveAttribute('data-state', 'done');
    await expect(job).toHaveAttribute('data-engine', c.engine);
    await expect(job).toHaveAttribute('data-psnr', /^\d+(\.\d+)?$/);
    const psnr = Number(await job.getAttribute('data-psnr'));
    const ssim = Number(await job.getAttribute('data-ssim'));
    const word = await job.getAttribute('data-quality');
    await expect(job).toContainText(new RegExp(`quality ${word}: ${psnr.toFixed(1)} dB PSNR, SSIM`));

    await page.screenshot({ path: test.info().outputPath(`finished-${c.engine}.png`), fullPage: true });
    await job.getByRole('button', { name: 'Log' }).click();
    console.log(`[quality] ${/\[ffbatch\] Quality: .*/.exec(await job.locator('pre').innerText())?.[0] ?? 'no quality line in the log'}`);
    const got = await downloadFromJob(page, job, outDir);
    const native = nativeScore(got.file, fixture('flower.mp4'));
    console.log(`[quality] ${c.preset} (${c.engine}) ${native.width}×${native.height}: page ${psnr} dB / ${ssim} (${word}); native over ${native.frames} frames ${native.psnr.toFixed(2)} dB / ${native.ssim.toFixed(4)}`);
    expect(Math.abs(psnr - native.psnr), `page ${psnr} dB, native ${native.psnr} dB`).toBeLessThanOrEqual(0.5);
    expect(Math.abs(ssim - native.ssim), `page ${ssim}, native ${native.ssim}`).toBeLessThanOrEqual(0.01);

    await test.step('Compare: the source and the output at one instant, that frame scored as native ffmpeg scores it', async () => {
      await job.getByRole('button', { name: 'Compare' }).click();
      const dialog = page.getByRole('dialog', { name: /^Compare flower/ });
      await expect(dialog).toBeVisible();
      await expect(dialog).toHaveAttribute('data-psnr', /^\d/, { timeout: 60_000 });
      for (const frame of ['source', 'output']) {
        const canvas = dialog.locator(`canvas[data-frame=${frame}]`);
        await expect(canvas).toHaveAttribute('width', String(native.width));
        await expect(canvas).toHaveAttribute('height', String(native.height));
      }
      const at = Number(await dialog.getAttribute('data-at'));
      const framePsnr = Number(await dialog.getAttribute('data-psnr'));
      const index = Math.round((at * 30000) / 1001);
      const nativeFrame = nativeFramePsnr(got.file, fixture('flower.mp4'), index, native.width, native.height);
      console.log(`[quality] Compare at ${at} s (frame ${index}): page ${framePsnr} dB, native ${nativeFrame.toFixed(2)} dB`);
      expect(Math.abs(framePsnr - nativeFrame), `frame ${index}: page ${framePsnr}, native ${nativeFrame}`).toBeLessThanOrEqual(0.5);
      // The two canvases are not the same picture: the output differs from the source somewhere.
      const differ = await dialog.evaluate((el) => {
        const [a, b] = [...el.querySelectorAll('canvas')].map((c) => c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data);
        return !!a && !!b && a.some((v, i) => v !== b[i]);
      });
      expect(differ).toBe(true);
      await page.screenshot({ path: test.info().outputPath(`compare-${c.engine}.png`) });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
    });

    await page.reload();
    const again = jobFor(page, 'flower.mp4', c.preset);
    await expect(again).toHaveAttribute('data-state', 'done');
    await expect(again).toHaveAttribute('data-psnr', String(psnr));
    await expect(again).toHaveAttribute('data-ssim', String(ssim));
  });
}
