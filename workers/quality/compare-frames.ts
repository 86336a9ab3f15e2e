/**
 * One instant of an output and of its source, for the Compare view: both frames as ffmpeg
 * grabs them for scoring (the source lanczos-scaled to the output's size), that frame's own
 * PSNR and SSIM, and RGBA pixels to show them.
 */
import type { QualityRequest } from '../protocol';
import { frameGrabArgs, frameGrabFiles, grabbedFrame, instantOfFrame } from './frame-grab';
import { frameMse, frameSsim, i420Layout, psnrOfMse, type I420Frame } from './frame-quality';
import type { GrabEngine, GrabFolders } from './score-with-ffmpeg';

export interface ComparedPair {
  /** Seconds into the output of the frame shown (the frame at or after the asked instant). */
  at: number;
  output: I420Frame;
  source: I420Frame;
  psnr: number;
  ssim: number;
}

/** Null when either frame could not be grabbed (past the end, an unreadable file). */
export function comparePair(request: QualityRequest, atSec: number, engine: GrabEngine, folders: GrabFolders = { inputs: '/in', work: '/work' }): ComparedPair | null {
  const { width, height, fps } = request;
  const index = Math.max(0, Math.min(request.frameCount - 1, Math.round(atSec * fps)));
  const ratio = request.sourceFps && Math.abs(request.sourceFps - fps) > 1e-3 ? request.sourceFps / fps : 1;
  const take = (input: string, asIs: boolean, prefix: string, at: number): I420Frame | null => {
    const spec = { input, instants: [at], width, height, asIs, ...(request.sourceCrop ? { crop: request.sourceCrop } : {}), prefix: `${folders.work}/${prefix}` };
    engine.exec(frameGrabArgs(spec));
    const [file] = frameGrabFiles(spec);
    return file ? grabbedFrame(engine.take(file), width, height) : null;
  };
  const output = take(`${folders.inputs}/${request.output.name}`, true, 'c-out-', instantOfFrame(index, fps));
  const sourceIndex = Math.floor(index * ratio + 1e-6);
  const source = take(`${folders.inputs}/${request.source.name}`, false, 'c-ref-', (request.sourceStartSec ?? 0) + instantOfFrame(sourceIndex, fps * ratio));
  if (!output || !source) return null;
  return { at: index / fps, output, source, psnr: psnrOfMse(frameMse(output, source).all), ssim: frameSsim(output, source).all };
}

/**
 * RGBA of an I420 frame for the screen (limited range; BT.709 from 720 lines up, else BT.601,
 * as players guess for untagged video). For looking at, not for scoring.
 */
export function i420ToRgba(frame: I420Frame): Uint8ClampedArray<ArrayBuffer> {
  const { width, height, data } = frame;
  const [y, u, v] = i420Layout(width, height);
  const hd = height >= 720;
  const [rv, gu, gv, bu] = hd ? [1.793, 0.213, 0.533, 2.112] : [1.596, 0.392, 0.813, 2.017];
  const out = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      const c = (row >> 1) * u.width + (col >> 1);
      const luma = 1.164 * ((data[y.offset + row * width + col] as number) - 16);
      const cb = (data[u.offset + c] as number) - 128;
      const cr = (data[v.offset + c] as number) - 128;
      const i = 4 * (row * width + col);
      out[i] = luma + rv * cr;
      out[i + 1] = luma - gu * cb - gv * cr;
      out[i + 2] = luma + bu * cb;
      out[i + 3] = 255;
    }
  }
  return out;
}
