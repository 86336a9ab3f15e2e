/**
 * `ffbatch/uppy`: transcode videos in the visitor's browser before Uppy uploads them.
 * Its own entry, so a site that never imports it ships none of it.
 *
 * @example
 * ```ts
 * import { FfbatchTranscode } from 'ffbatch/uppy';
 * uppy.use(FfbatchTranscode, { preset: 'mp4-h264-720p' });
 * ```
 * @packageDocumentation
 */
export { FfbatchTranscode, type FfbatchTranscodeOptions, type FfbatchTranscodeMeta } from './ffbatch-transcode';
