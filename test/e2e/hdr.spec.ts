/**
 * Issue 15 item 5: HDR phone footage to an 8-bit SDR preset is tone-mapped. A 10-bit HLG and
 * a 10-bit PQ HEVC clip (BT.2020), made here by native ffmpeg from a real picture, go through
 * mp4-h264-720p (and webm-vp9-720p, whose VP9 is 8-bit too): each output is 8-bit, tagged
 * BT.709 (primaries, transfer, matrix), its picture close to native ffmpeg's own tone-mapped
 * reference (PSNR > 28 dB; untouched outputs score about 20–21 dB), and the job says it
 * mapped HDR to SDR.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ffprobe, streamsOf } from '../support/ffprobe';
import { makeTempDir, removeDir, run } from '../support/media';
import { addFiles, downloadFromJob, ENCODE_TIMEOUT, jobFor, openApp, pressEncode, readJobs, tickPresets, waitForAllFinished } from './app-page';

/** 2 s of 1280×720 at 30 fps: a moving test picture with colour bars and gradients. */
const PICTURE = 'testsrc2=size=1280x720:rate=30:duration=2,format=yuv444p';
/** Native ffmpeg's tone mapping, the reference the outputs are scored against. */
const NATIVE_TONE_MAP = 'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p';

const CLIPS = [
  { name: 'phone-hlg.mp4', transfer: 'arib-std-b67' },
  { name: 'phone-pq.mp4', transfer: 'smpte2084' },
] as const;

/** mp4-h264-720p as the issue names it; webm-vp9-720p makes 8-bit VP9, so it maps too. */
const PRESETS = ['mp4-h264-720p', 'webm-vp9-720p'] as const;
const CODEC = { 'mp4-h264-720p': 'h264', 'webm-vp9-720p': 'vp9' } as const;

let dir = '';

test.beforeAll(async () => {
  dir = await makeTempDir('ffbatch-hdr-');
  for (const clip of CLIPS) {
    // The SDR picture taken to linear light and re-encoded with the HDR transfer in BT.2020: real HDR code values.
    const toHdr = `zscale=tin=bt709:pin=bt709:min=bt709:rin=tv:t=linear:npl=100:p=bt709,format=gbrpf32le,zscale=p=bt2020:t=${clip.transfer}:m=bt2020nc:r=tv,format=yuv420p10le`;
    await run('ffmpeg', [
      '-v', 'error', '-nostdin', '-y',
      '-f', 'lavfi', '-i', PICTURE, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2',
      '-vf', toHdr,
      '-c:v', 'libx265', '-preset', 'ultrafast', '-crf', '18',
      '-x265-params', `log-level=error:colorprim=bt2020:transfer=${clip.transfer}:colormatrix=bt2020nc`,
      '-color_primaries', 'bt2020', '-color_trc', clip.transfer, '-colorspace', 'bt2020nc', '-tag:v', 'hvc1',
      '-c:a', 'aac', '-b:a', '96k', '-shortest',
      path.join(dir, clip.name),
    ]);
    await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', '-i', path.join(dir, clip.name), '-vf', NATIVE_TONE_MAP, '-an', path.join(dir, `${clip.name}.ref.y4m`)]);
  }
});

test.afterAll(async () => {
  await removeDir(dir);
});

/** Mean PSNR (dB, as ffmpeg's psnr filter gives it over Y, U and V) of `file` against `reference`; NaN when none is printed. */
function psnrOf(file: string, reference: string): number {
  // The psnr filter reports on stderr: read it through the shell.
  const out = execFileSync('sh', ['-c', 'ffmpeg -hide_banner -nostdin -i "$1" -i "$2" -lavfi "[0:v][1:v]psnr" -f null - 2>&1', 'sh', file, reference], { encoding: 'utf8' });
  const value = /average:([\d.]+|inf)/.exec(out)?.[1];
  return value === 'inf' ? Infinity : Number(value ?? NaN);
}

test('HLG and PQ HEVC → mp4-h264-720p and webm-vp9-720p: 8-bit, tagged BT.709, close to native tone mapping, and the job says HDR → SDR', async ({ page }) => {
  test.setTimeout(ENCODE_TIMEOUT);
  const sources = CLIPS.map((clip) => path.join(dir, clip.name));
  for (const source of sources) {
    const probe = await ffprobe(source);
    // The inputs really are 10-bit HDR HEVC.
    expect(probe.streams[0]).toMatchObject({ codec_name: 'hevc', pix_fmt: 'yuv420p10le', color_primaries: 'bt2020' });
  }

  await openApp(page);
  await addFiles(page, sources);
  await tickPresets(page, PRESETS);
  await pressEncode(page);
  await waitForAllFinished(page, CLIPS.length * PRESETS.length, ENCODE_TIMEOUT);

  const jobs = await readJobs(page);
  const scores: Record<string, number> = {};
  for (const clip of CLIPS) {
    for (const preset of PRESETS) {
      const what = `${clip.name} → ${preset}`;
      const view = jobs.find((j) => j.source === clip.name && j.preset === preset);
      expect(view?.alert ?? null, what).toBeNull();
      expect(view?.state, what).toBe('done');
      const job = jobFor(page, clip.name, preset);
      await expect(job).toHaveAttribute('data-engine', 'ffmpeg');
      // Soft from here: every check of every job is reported (and every score printed) when one fails.
      // The job's engine note names the mapping.
      expect.soft(view?.text, what).toContain('HDR → SDR');

      const { file } = await downloadFromJob(page, job, dir);
      const probe = await ffprobe(file);
      const [v] = streamsOf(probe, 'video');
      expect(streamsOf(probe, 'video')).toHaveLength(1);
      // 8-bit 4:2:0 (VP9 profile 0), tagged BT.709 in primaries, transfer and matrix.
      expect.soft(v, what).toMatchObject({ codec_name: CODEC[preset], width: 1280, height: 720, pix_fmt: 'yuv420p', color_primaries: 'bt709', color_transfer: 'bt709', color_space: 'bt709' });

      const score = psnrOf(file, path.join(dir, `${clip.name}.ref.y4m`));
      scores[what] = score;
      expect.soft(score, `${what}: PSNR against native ffmpeg's tone-mapped picture`).toBeGreaterThan(28);
    }
  }
  test.info().annotations.push({ type: 'psnr', description: JSON.stringify(scores) });
  console.log(`[hdr] PSNR against native tone mapping: ${JSON.stringify(scores)}`);
});
