/**
 * Scores the frame pairs of test/support/quality-frames.ts with native ffmpeg's psnr and ssim
 * filters and prints the figures test/unit/frame-quality.test.ts checks against. Run once
 * (`npx tsx scripts/quality-fixtures.ts`) when the cases change; paste what it prints.
 * Per case it runs, with the two frame sequences written as raw yuv420p:
 *   ffmpeg -f rawvideo -pix_fmt yuv420p -s WxH -i main.yuv -f rawvideo -pix_fmt yuv420p -s WxH -i ref.yuv -lavfi '[0:v][1:v]psnr' -f null -
 * and the same with `ssim`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { framePairCases } from '../test/support/quality-frames';

const dir = mkdtempSync(path.join(tmpdir(), 'ffbatch-quality-'));
const concat = (frames: { data: Uint8Array }[]): Buffer => Buffer.concat(frames.map((f) => Buffer.from(f.data)));
try {
  console.log(`// ${execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]}`);
  for (const c of framePairCases()) {
    const main = path.join(dir, 'main.yuv');
    const ref = path.join(dir, 'ref.yuv');
    writeFileSync(main, concat(c.outputs));
    writeFileSync(ref, concat(c.references));
    const raw = ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${c.width}x${c.height}`];
    // ffmpeg prints its summary on stderr.
    const log = (filter: string): string =>
      spawnSync('ffmpeg', ['-nostdin', '-hide_banner', ...raw, '-i', main, ...raw, '-i', ref, '-lavfi', `[0:v][1:v]${filter}`, '-f', 'null', '-'], { encoding: 'utf8' }).stderr;
    const psnr = /PSNR y:(\S+) u:(\S+) v:(\S+) average:(\S+)/.exec(log('psnr'));
    const ssim = /SSIM Y:(\S+) \(\S+\) U:(\S+) \(\S+\) V:(\S+) \(\S+\) All:(\S+)/.exec(log('ssim'));
    if (!psnr || !ssim) throw new Error(`ffmpeg printed no summary for ${c.name}`);
    const n = (s: string | undefined): string => (s === 'inf' ? 'Infinity' : String(s));
    console.log(
      `  { name: ${JSON.stringify(c.name)}, psnr: { y: ${n(psnr[1])}, u: ${n(psnr[2])}, v: ${n(psnr[3])}, average: ${n(psnr[4])} }, ssim: { y: ${ssim[1]}, u: ${ssim[2]}, v: ${ssim[3]}, all: ${ssim[4]} } },`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
