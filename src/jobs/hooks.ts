/**
 * The internal knobs of tests and benchmarks, faults and tuning, in one object: src/main.ts
 * makes it from the page's address and it is handed by reference to the parts that read it
 * (the encode runner, the WebCodecs route, the split). Never part of the public options: a
 * site that uses the library gets the defaults.
 */
import type { WebCodecsFault } from '../../workers/protocol';

export interface Hooks {
  /** `?webcodecsFail=throw|stall`: every WebCodecs encode throws, or goes silent, after its first progress. */
  readonly webcodecsFault?: WebCodecsFault;
  /** A WebCodecs encode silent this long counts as hung and the job goes to ffmpeg.wasm; default 30 s (4 s with the stall fault). */
  readonly webcodecsStallMs?: number;
  /** `?h264TargetQp=` (benchmark): the mean QP the WebCodecs H.264 bitrate is steered to; default H264_TARGET_QP. */
  readonly h264TargetQp?: number;
  /** `?truncateOutputs=1`: every output loses its last 40 % before it is checked (verification must catch it). */
  readonly truncateOutputs?: boolean;
  /** `?qualitySamples=0`: Auto encodes the fast route's H.264 as planned, without measuring samples first (quality-promise.ts). */
  readonly qualitySamples?: boolean;
  /** `?holdSegment=N`: segment N (from 1) of every split job waits before it starts, until its job is canceled or the page goes. */
  readonly holdSegment?: number;
}

/** No knob turned: what every site and most tests run with. */
export const NO_HOOKS: Hooks = Object.freeze({});
