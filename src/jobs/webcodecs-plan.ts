import { presetById, type Preset } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import { compileWebCodecs } from '../presets/webcodecs-compile';
import type { WebCodecsPresetId, WebCodecsTarget } from '../../workers/protocol';

export type { WebCodecsPresetId };

/** What the worker's `transcodeWithWebCodecs` makes, compiled from the preset's spec. */
export type WebCodecsPlan = WebCodecsTarget;

export type TargetOrReason = { target: WebCodecsPlan; reason?: undefined } | { target?: undefined; reason: string };

/**
 * Plans a WebCodecs encode of `source` to `preset` from its spec, or says why the fast route
 * cannot make it (an Advanced preset has no spec: ffmpeg arguments run on ffmpeg.wasm).
 * `h264TargetQp` overrides the quality mark's QP (the benchmark knob).
 */
export function webCodecsTargetFor(preset: Pick<Preset, 'id' | 'spec'>, source: SourceInfo, h264TargetQp?: number): TargetOrReason {
  if (!preset.spec) return { reason: 'custom presets are ffmpeg-only' };
  const compiled = compileWebCodecs(preset.spec, source, h264TargetQp !== undefined ? { h264TargetQp } : {});
  if (!compiled.ok) return { reason: compiled.reason };
  const { container, video, audio } = compiled.plan;
  return {
    target: {
      presetId: preset.id,
      container,
      video: video.codec,
      width: video.width,
      height: video.height,
      videoBitrate: video.bitrate,
      ...(video.targetQp !== undefined ? { targetQp: video.targetQp } : {}),
      ...(video.quantizer !== undefined ? { quantizer: video.quantizer } : {}),
      ...(video.maxFps !== null ? { maxFps: video.maxFps } : {}),
      ...(video.sizeBudget && source.durationSec
        ? { sizeBudget: { maxBytes: video.sizeBudget.maxBytes, videoBytes: Math.floor((video.sizeBudget.videoBitrate / 8) * source.durationSec) } }
        : {}),
      audio,
    },
  };
}

/**
 * The target for a preset the fast route can make (`webCodecsTargetFor` by id); throws a
 * `TypeError` naming why not (no video in `source`, or a preset the route cannot make).
 */
export function planWebCodecsTarget(presetId: string, source: SourceInfo, h264TargetQp?: number): WebCodecsPlan {
  if (!source.video) throw new TypeError('source.video is required to plan a WebCodecs encode.');
  const planned = webCodecsTargetFor(presetById(presetId), source, h264TargetQp);
  if (!planned.target) throw new TypeError(`${presetId} has no WebCodecs plan: ${planned.reason}.`);
  return planned.target;
}
