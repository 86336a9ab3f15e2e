/**
 * Uppy as a site has it (Dashboard, uploads into the bucket through the signing service), with
 * one line more: FfbatchTranscode converts each video in the visitor's browser before Uppy
 * uploads it. Photos and other files go up as they are.
 */
import AwsS3 from '@uppy/aws-s3';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import type { Encoder } from 'ffbatch';
import { FfbatchTranscode } from 'ffbatch/uppy';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

/** The signing service; `VITE_SIGNING_ENDPOINT` in `.env` (presign-server's default port otherwise). */
const SIGNING_ENDPOINT = import.meta.env.VITE_SIGNING_ENDPOINT ?? 'http://localhost:3020';

export interface UploaderOptions {
  /** Upload a video that cannot be converted as it is (true), or refuse it (false). */
  keepOriginalOnFailure?: boolean;
  /** An encoder of your own (`createEncoder({ workers: 2 })`…); default the plugin makes one. */
  encoder?: Encoder;
}

export function startUploader(target: string, options: UploaderOptions = {}): Uppy {
  return (
    new Uppy()
      .use(Dashboard, { inline: true, target, proudlyDisplayPoweredByUppy: false })
      // H.264 at most 720 lines high, AAC, in MP4: what every phone and browser plays.
      .use(FfbatchTranscode, { preset: 'mp4-h264-720p', keepOriginalOnFailure: options.keepOriginalOnFailure ?? false, ...(options.encoder ? { encoder: options.encoder } : {}) })
      // Companion's S3 routes, served by examples/presign-server. Every file goes up as a
      // multipart upload: Uppy 6 sends single files as a form POST, which presign-server's
      // /s3/params (a presigned PUT) does not answer.
      .use(AwsS3, { companionEndpoint: SIGNING_ENDPOINT, shouldUseMultipart: () => true })
  );
}
