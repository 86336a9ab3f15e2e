/**
 * Issue 18: a queued job's own edits (its Edit on the job's row). Only that job changes; the
 * edits are kept with the job's record (a reload brings them back), and a started job refuses.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Batch, type BatchDeps } from '../../src/session/batch';
import type { WorkerPool } from '../../src/pool/worker-pool';
import { JobStore } from '../../src/storage/job-store';
import { OutputStore } from '../../src/storage/output-store';

let prefix = 0;
/** A Batch whose probes never end: its jobs stay queued. */
function makeBatch(names: { jobs: string; outputs: string }): { batch: Batch; jobStore: JobStore } {
  const pool = { probe: () => new Promise(() => {}), warmUp: () => {}, setSize: () => {} } as unknown as WorkerPool;
  const jobStore = new JobStore(names.jobs);
  const deps: BatchDeps = { encodePool: pool, probePool: pool, store: new OutputStore(names.outputs), scratch: null, budget: null, workers: 1, jobStore };
  return { batch: new Batch(deps), jobStore };
}

async function writesDone(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('Batch.setJobEdits', () => {
  it('changes only that queued job, and its record keeps the edits across a reload', async () => {
    prefix++;
    const names = { jobs: `job-edits-${prefix}`, outputs: `job-edits-out-${prefix}` };
    const { batch, jobStore } = makeBatch(names);
    const [source] = batch.addFiles([{ file: new File([new Uint8Array(10)], 'clip.mp4', { lastModified: 1 }) }]);
    const [video, sound] = batch.encode(['mp4-h264-720p', 'mp3-audio']);
    if (!source || !video || !sound) throw new Error('no jobs');
    expect(batch.setJobEdits(video.id, { trim: { start: 2, end: 5 }, rotate: 90 })).toEqual([]);
    expect(batch.listJobs().find((j) => j.id === video.id)?.edits).toEqual({ trim: { start: 2, end: 5 }, rotate: 90 });
    expect(batch.listJobs().find((j) => j.id === sound.id)?.edits).toBeUndefined();
    expect(batch.listSources()[0]?.edits ?? {}).toEqual({});
    await writesDone();
    const records = await jobStore.list();
    expect(records.find((r) => r.id === video.id)?.edits).toEqual({ trim: { start: 2, end: 5 }, rotate: 90 });
    expect(records.find((r) => r.id === sound.id)?.edits).toBeUndefined();
    // After a reload the job comes back interrupted with its own edits.
    const again = makeBatch(names).batch;
    await again.restore();
    expect(again.listJobs().find((j) => j.id === video.id)?.edits).toEqual({ trim: { start: 2, end: 5 }, rotate: 90 });
    // Empty edits clear them.
    batch.setJobEdits(video.id, {});
    expect(batch.listJobs().find((j) => j.id === video.id)?.edits).toBeUndefined();
  });

  it('checks the edits, and refuses a job that has started', () => {
    prefix++;
    const { batch } = makeBatch({ jobs: `job-edits-${prefix}`, outputs: `job-edits-out-${prefix}` });
    batch.addFiles([{ file: new File([new Uint8Array(10)], 'clip.mp4', { lastModified: 1 }) }]);
    const [job] = batch.encode(['mp3-audio']);
    if (!job) throw new Error('no job');
    expect(() => batch.setJobEdits(job.id, { rotate: 45 })).toThrow(TypeError);
    batch.updateJob(job.id, { state: 'running' });
    expect(() => batch.setJobEdits(job.id, { rotate: 90 })).toThrow(/has started: its edits can no longer change/);
    expect(batch.listJobs()[0]?.edits).toBeUndefined();
    expect(() => batch.setJobEdits('nope', {})).toThrow(RangeError);
  });
});
