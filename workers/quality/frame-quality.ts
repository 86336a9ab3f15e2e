/**
 * PSNR and SSIM of 8-bit I420 frames, computed as native ffmpeg's `psnr` and `ssim` filters
 * compute them, so that a score made in a worker can stand beside one made by `ffmpeg -lavfi`.
 * Pure typed-array maths: shared by the workers (which score) and the page (which reads the
 * figures); no DOM, no codec.
 *
 * - PSNR (libavfilter/vf_psnr.c): per plane the mean squared error; a frame's error is the
 *   planes' errors weighted by their pixel counts (Y 4/6, U 1/6, V 1/6 in 4:2:0); over many
 *   frames the errors are averaged first and the dB taken last ("average:" in ffmpeg's log).
 * - SSIM (libavfilter/vf_ssim.c, after x264): per plane, sums over 4×4 blocks, then one SSIM
 *   per 8×8 window stepped by 4 pixels, in the same integer and single-precision arithmetic;
 *   a frame's SSIM is the planes' weighted the same way ("All:" in ffmpeg's log).
 */

/** One 8-bit 4:2:0 picture, planes packed Y then U then V, chroma ⌈w/2⌉×⌈h/2⌉ (ffmpeg's `-pix_fmt yuv420p -f rawvideo`). */
export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface PlaneLayout {
  offset: number;
  width: number;
  height: number;
}

/** Where the three planes of an I420 frame of this size lie in its packed bytes. */
export function i420Layout(width: number, height: number): [PlaneLayout, PlaneLayout, PlaneLayout] {
  const cw = Math.ceil(width / 2);
  const ch = Math.ceil(height / 2);
  const y = { offset: 0, width, height };
  const u = { offset: width * height, width: cw, height: ch };
  const v = { offset: width * height + cw * ch, width: cw, height: ch };
  return [y, u, v];
}

export function i420Size(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

function checkPair(a: I420Frame, b: I420Frame): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new TypeError(`The two frames differ in size (${a.width}×${a.height} and ${b.width}×${b.height}): scale the reference first.`);
  }
  const size = i420Size(a.width, a.height);
  if (a.data.length < size || b.data.length < size) {
    throw new TypeError(`An I420 frame of ${a.width}×${a.height} needs ${size} bytes.`);
  }
}

/** Each plane's share of the frame's pixels (ffmpeg's planeweight / coefs). */
function planeWeights(planes: readonly PlaneLayout[]): number[] {
  const sum = planes.reduce((total, p) => total + p.width * p.height, 0);
  return planes.map((p) => (p.width * p.height) / sum);
}

export interface PlaneFigures {
  y: number;
  u: number;
  v: number;
  /** The planes weighted by pixel count. */
  all: number;
}

/** Mean squared error of each plane, and of the frame as ffmpeg weighs it. */
export function frameMse(a: I420Frame, b: I420Frame): PlaneFigures {
  checkPair(a, b);
  const planes = i420Layout(a.width, a.height);
  const weights = planeWeights(planes);
  const mse = planes.map(({ offset, width, height }) => {
    let sse = 0;
    const end = offset + width * height;
    for (let i = offset; i < end; i++) {
      const d = (a.data[i] as number) - (b.data[i] as number);
      sse += d * d;
    }
    return sse / (width * height);
  }) as [number, number, number];
  return { y: mse[0], u: mse[1], v: mse[2], all: mse[0] * (weights[0] as number) + mse[1] * (weights[1] as number) + mse[2] * (weights[2] as number) };
}

/** dB from a mean squared error (8-bit): ∞ for identical pictures, as ffmpeg prints "inf". */
export function psnrOfMse(mse: number): number {
  return 10 * Math.log10((255 * 255) / mse);
}

const SSIM_C1 = Math.trunc(0.01 * 0.01 * 255 * 255 * 64 + 0.5);
const SSIM_C2 = Math.trunc(0.03 * 0.03 * 255 * 255 * 64 * 63 + 0.5);
const f32 = Math.fround;

/** One 8×8 window's SSIM from the sums of its four 4×4 blocks: vf_ssim.c's ssim_end1 (int maths, then float). */
function ssimEnd1(s1: number, s2: number, ss: number, s12: number): number {
  const vars = ss * 64 - s1 * s1 - s2 * s2;
  const covar = s12 * 64 - s1 * s2;
  return f32(f32(f32(2 * s1 * s2 + SSIM_C1) * f32(2 * covar + SSIM_C2)) / f32(f32(s1 * s1 + s2 * s2 + SSIM_C1) * f32(vars + SSIM_C2)));
}

/** Sums (a, b, a²+b², ab) of each 4×4 block along one block row. */
function blockRow(a: Uint8Array, b: Uint8Array, plane: PlaneLayout, blockRowIndex: number, out: Int32Array): void {
  const blocks = plane.width >> 2;
  const rowStart = plane.offset + 4 * blockRowIndex * plane.width;
  for (let x = 0; x < blocks; x++) {
    let s1 = 0;
    let s2 = 0;
    let ss = 0;
    let s12 = 0;
    for (let dy = 0; dy < 4; dy++) {
      let i = rowStart + dy * plane.width + 4 * x;
      for (let dx = 0; dx < 4; dx++, i++) {
        const p = a[i] as number;
        const q = b[i] as number;
        s1 += p;
        s2 += q;
        ss += p * p + q * q;
        s12 += p * q;
      }
    }
    out[4 * x] = s1;
    out[4 * x + 1] = s2;
    out[4 * x + 2] = ss;
    out[4 * x + 3] = s12;
  }
}

/** vf_ssim.c's ssim_plane: the mean SSIM of the 8×8 windows, stepped by 4, that fit the plane. */
function planeSsim(a: Uint8Array, b: Uint8Array, plane: PlaneLayout): number {
  const blocksX = plane.width >> 2;
  const blocksY = plane.height >> 2;
  if (blocksX < 2 || blocksY < 2) throw new TypeError(`A plane of ${plane.width}×${plane.height} is too small for SSIM's 8×8 windows.`);
  let above = new Int32Array(4 * blocksX);
  let below = new Int32Array(4 * blocksX);
  blockRow(a, b, plane, 0, above);
  let total = 0;
  for (let y = 1; y < blocksY; y++) {
    blockRow(a, b, plane, y, below);
    // ffmpeg sums a row's windows in single precision, the rows in double.
    let line = 0;
    for (let i = 0; i < blocksX - 1; i++) {
      const j = 4 * i;
      const k = j + 4;
      line = f32(
        line +
          ssimEnd1(
            (above[j] as number) + (above[k] as number) + (below[j] as number) + (below[k] as number),
            (above[j + 1] as number) + (above[k + 1] as number) + (below[j + 1] as number) + (below[k + 1] as number),
            (above[j + 2] as number) + (above[k + 2] as number) + (below[j + 2] as number) + (below[k + 2] as number),
            (above[j + 3] as number) + (above[k + 3] as number) + (below[j + 3] as number) + (below[k + 3] as number),
          ),
      );
    }
    total += line;
    [above, below] = [below, above];
  }
  return total / ((blocksY - 1) * (blocksX - 1));
}

/** SSIM of each plane and of the frame (ffmpeg's "All"). */
export function frameSsim(a: I420Frame, b: I420Frame): PlaneFigures {
  checkPair(a, b);
  const planes = i420Layout(a.width, a.height);
  const weights = planeWeights(planes);
  const [y, u, v] = planes.map((plane) => planeSsim(a.data, b.data, plane)) as [number, number, number];
  return { y, u, v, all: y * (weights[0] as number) + u * (weights[1] as number) + v * (weights[2] as number) };
}

/** What a scored output reports: PSNR in dB (ffmpeg's "average"), SSIM 0–1 (ffmpeg's "All"), frames compared. */
export interface QualityScore {
  psnr: number;
  /** Luma only, for those who read ffmpeg's "y:". */
  psnrY: number;
  ssim: number;
  frames: number;
}

/** Adds frame pairs up as ffmpeg's filters do over a whole run: errors averaged before the dB. */
export class QualityTally {
  private mse = 0;
  private mseY = 0;
  private ssim = 0;
  private count = 0;

  /** Scores one pair (output, reference) and returns that frame's own figures. */
  add(output: I420Frame, reference: I420Frame): { psnr: number; ssim: number } {
    const mse = frameMse(output, reference);
    const ssim = frameSsim(output, reference);
    this.mse += mse.all;
    this.mseY += mse.y;
    this.ssim += ssim.all;
    this.count += 1;
    return { psnr: psnrOfMse(mse.all), ssim: ssim.all };
  }

  get frames(): number {
    return this.count;
  }

  /** Null before any frame. */
  result(): QualityScore | null {
    if (this.count === 0) return null;
    return { psnr: psnrOfMse(this.mse / this.count), psnrY: psnrOfMse(this.mseY / this.count), ssim: this.ssim / this.count, frames: this.count };
  }
}
