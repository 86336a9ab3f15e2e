import type { OutputRecord } from '../../src/storage/records';

/** A stored output's record as an encode writes it, with `patch` over it. */
export function outputRecord(id: string, patch: Partial<OutputRecord> = {}): OutputRecord {
  return {
    id,
    sourceName: 'holiday.avi',
    sourceSize: 1_000_000,
    sourceLastModified: 1_700_000_000_000,
    presetId: 'mp4-h264-480p',
    outputName: 'holiday.mp4',
    outputSize: 3,
    mimeType: 'video/mp4',
    startedAt: 1_000,
    endedAt: 2_000,
    exitCode: 0,
    logTail: ['frame=  150 fps= 48 q=28.0 Lsize=  256kB time=00:00:05.00', 'video:200kB audio:50kB'],
    ...patch,
  };
}
