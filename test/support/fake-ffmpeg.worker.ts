/**
 * A fake ffmpeg worker for end-to-end tests about the page itself (the job list at 1,000 jobs):
 * bundled by the test with esbuild and served in place of the real worker through page.route.
 * Every file probes as a 10 s MP3; a run takes RUN_MS and returns a 4-byte output.
 */
import * as Comlink from 'comlink';
import type { FfmpegWorkerApi, LogSink, RunRequest, RunResult } from '../../workers/protocol';

const RUN_MS = 15;

const MP3_REPORT = {
  streams: [{ index: 0, codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100' }],
  format: { format_name: 'mp3', duration: '10.000000' },
};

/** The bytes every fake output holds (the test reads them back after a reload). */
export const FAKE_OUTPUT = [0xff, 0xfb, 1, 2];

const api: FfmpegWorkerApi = {
  load: () => Promise.resolve({ loadMs: 1, outputsOnDisk: false }),
  probe: () => Promise.resolve({ report: MP3_REPORT, log: [] }),
  probeTail: () => Promise.resolve({ endSec: 10, log: [] }),
  run: async (_request: RunRequest, onLog: LogSink): Promise<RunResult> => {
    await new Promise((wake) => setTimeout(wake, RUN_MS));
    await onLog(['size=       1kB time=00:00:10.00 bitrate= 0.8kbits/s speed=600x']);
    return { exitCode: 0, outputs: [new Blob([new Uint8Array(FAKE_OUTPUT)], { type: 'audio/mpeg' })], writeFailure: null };
  },
  coreLists: () => Promise.reject(new Error('not in the fake worker')),
  dryRun: () => Promise.reject(new Error('not in the fake worker')),
  webcodecsProbe: () => Promise.reject(new Error('not in the fake worker')),
  webcodecsEncode: () => Promise.reject(new Error('not in the fake worker')),
  // Audio outputs are not scored; a video one here would fail its score, not the job.
  scoreQuality: () => Promise.reject(new Error('not in the fake worker')),
  compareFrames: () => Promise.reject(new Error('not in the fake worker')),
  // As for a source Mediabunny cannot read: a remux job goes on to run().
  smartCut: () => Promise.reject(Object.assign(new Error('not in the fake worker'), { name: 'SmartCutUnsupportedError' })),
};

Comlink.expose(api);
