/**
 * Fake ffmpeg workers for unit tests of the public API: a FfmpegWorkerApi exposed by Comlink
 * over a MessageChannel, as in worker-pool.test.ts. Probes answer at once (every file is a
 * 10 s MP3, except one of BAD_SIZE bytes, which is not media); runs wait for the test.
 */
import * as Comlink from 'comlink';
import type { FfmpegWorkerApi, LogSink, MountedInput, ProbeResult, RunRequest, RunResult } from '../../workers/protocol';

/** The page side of a MessageChannel with a fake FfmpegWorkerApi exposed by Comlink on the other, as in worker-pool.test.ts. */
export class FakeWorker {
  private readonly page: MessagePort;
  private readonly inside: MessagePort;
  terminated = false;

  constructor(api: FfmpegWorkerApi) {
    const { port1, port2 } = new MessageChannel();
    this.page = port1;
    this.inside = port2;
    Comlink.expose(api, port2);
  }

  postMessage(message: unknown, transfer: Transferable[] = []): void {
    if (!this.terminated) this.page.postMessage(message, transfer);
  }

  addEventListener(type: string, listener: EventListener): void {
    if (type !== 'message') return;
    this.page.addEventListener('message', listener);
    this.page.start();
  }

  removeEventListener(type: string, listener: EventListener): void {
    if (type === 'message') this.page.removeEventListener('message', listener);
  }

  terminate(): void {
    this.terminated = true;
    this.page.close();
    this.inside.close();
  }
}

export interface PendingRun {
  request: RunRequest;
  log(lines: string[]): void;
  finish(): void;
  fail(exitCode: number, lines: string[]): void;
}

/** A 10 s MP3 as ffprobe reports it: both the sources and the outputs of these tests. */
export const MP3_REPORT = {
  streams: [{ index: 0, codec_type: 'audio', codec_name: 'mp3', channels: 2, sample_rate: '44100' }],
  format: { format_name: 'mp3', duration: '10.000000' },
};

/** Fake ffmpeg workers: probes answer at once (a file of BAD_SIZE bytes is not media); runs wait for the test. */
export class Lab {
  readonly workers: FakeWorker[] = [];
  readonly runs: PendingRun[] = [];
  private waiters: (() => void)[] = [];

  readonly createWorker = (): Worker => {
    const api: FfmpegWorkerApi = {
      // Nothing here is scored: these fakes have no frames.
      scoreQuality: () => Promise.resolve({ score: null, perFrame: [], log: [] }),
      compareFrames: () => Promise.resolve(null),
      load: () => Promise.resolve({ loadMs: 5, outputsOnDisk: false }),
      probe: (input: MountedInput): Promise<ProbeResult> =>
        Promise.resolve(input.data.size === BAD_SIZE ? { report: null, log: ['in.bin: Invalid data found when processing input'] } : { report: MP3_REPORT, log: [] }),
      run: (request: RunRequest, onLog: LogSink): Promise<RunResult> =>
        new Promise<RunResult>((resolve) => {
          this.runs.push({
            request,
            log: (lines) => void onLog(lines),
            finish: () => resolve({ exitCode: 0, outputs: [new Blob([new Uint8Array([0xff, 0xfb, 1, 2])], { type: 'audio/mpeg' })], writeFailure: null }),
            fail: (exitCode, lines) => {
              // As the real worker: its log lines reach the page before the run's result.
              void Promise.resolve(onLog(lines)).then(() => resolve({ exitCode, outputs: [], writeFailure: null }));
            },
          });
          this.waiters.splice(0).forEach((wake) => wake());
        }),
      // Outputs are verified to reach the end their header claims: these fakes always do.
      probeTail: () => Promise.resolve({ endSec: Number(MP3_REPORT.format.duration), log: [] }),
      coreLists: () => Promise.reject(new Error('not used here')),
      dryRun: () => Promise.reject(new Error('not used here')),
      webcodecsProbe: () => Promise.reject(new Error('not used here')),
      webcodecsEncode: () => Promise.reject(new Error('not used here')),
      smartCut: () => Promise.reject(new Error('not used here')),
    };
    const worker = new FakeWorker(api);
    this.workers.push(worker);
    return worker as unknown as Worker;
  };

  /** Resolves once `count` runs have started. */
  async runsStarted(count: number): Promise<PendingRun[]> {
    while (this.runs.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
    return this.runs.slice(0, count);
  }
}

export const BAD_SIZE = 13;

/** A source (the fake probe reports every file as a 10 s MP3 unless it has BAD_SIZE bytes). */
export function mp3(name = 'song.wav', size = 1000): File {
  return new File([new Uint8Array(size)], name, { type: 'audio/wav' });
}
