import { fitHeight } from '../presets/presets';
import type { SourceInfo } from '../presets/source-info';
import type { WebCodecsPresetId, WebCodecsTarget } from '../../workers/protocol';
import { H264_TARGET_QP, webCodecsVideoBitrate, type WebCodecsVideoCodec } from '../presets/webcodecs-bitrate';

/** The presets the WebCodecs route implements. */
export const WEBCODECS_PRESETS = {
  'mp4-h264-720p': { video: 'avc', maxHeight: 720 },
  'mp4-h264-480p': { video: 'avc', maxHeight: 480 },
  'webm-vp9-720p': { video: 'vp9', maxHeight: 720 },
} as const satisfies Record<WebCodecsPresetId, { video: WebCodecsVideoCodec; maxHeight: number }>;

export type { WebCodecsPresetId };

export function isWebCodecsPreset(id: string): id is WebCodecsPresetId {
  return Object.hasOwn(WEBCODECS_PRESETS, id);
}

/** What the worker's `transcodeWithWebCodecs` makes: the shown size by the ffmpeg route's rule (`fitHeight`), the bitrate by the WebCodecs rule. */
export type WebCodecsPlan = WebCodecsTarget;

/** Plans a WebCodecs encode of `source` (which must have video) to `presetId`; H.264 is steered to `h264TargetQp`. */
export function planWebCodecsTarget(presetId: WebCodecsPresetId, source: SourceInfo, h264TargetQp = H264_TARGET_QP): WebCodecsPlan {
  if (!source.video) throw new TypeError('source.video is required to plan a WebCodecs encode.');
  const { video, maxHeight } = WEBCODECS_PRESETS[presetId];
  const { width, height } = fitHeight(source.video, maxHeight);
  const videoBitrate = webCodecsVideoBitrate(video, width, height, source.video.fps);
  return { presetId, width, height, videoBitrate, ...(video === 'avc' ? { targetQp: h264TargetQp } : {}) };
}
