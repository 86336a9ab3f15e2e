/**
 * Issue 15 (4): a reload lists every stored output at once. Batch.restore reads the records
 * and the keys of the stored Blobs, never a Blob; a Blob is read when it is downloaded. A
 * record whose Blob is gone stays listed, failed, saying so.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { Batch, type BatchDeps } from '../../src/session/batch';
import { MISSING_OUTPUT_SENTENCE } from '../../src/jobs/job';
import type { WorkerPool } from '../../src/pool/worker-pool';
import { OutputStore } from '../../src/storage/output-store';
import type { OutputRecord } from '../../src/storage/records';
import { deleteStoredBlob } from '../support/stored-blob';

let n = 0;
function record(id: string, endedAt: number): OutputRecord {
  return {
    id,
    sourceName: `${id}.wav`,
    sourceSize: 1000,
    sourceLastModified: 1,
    presetId: 'mp3-audio',
    outputName: `${id}.mp3`,
    outputSize: 4,
    mimeType: 'audio/mpeg',
    startedAt: endedAt - 10,
    endedAt,
    exitCode: 0,
    logTail: [],
  };
}

function batchOver(store: OutputStore): Batch {
  const pool = { probe: () => new Promise(() => {}), warmUp: () => {}, setSize: () => {} } as unknown as WorkerPool;
  const deps: BatchDeps = { encodePool: pool, probePool: pool, store, scratch: null, budget: null, workers: 2 };
  return new Batch(deps);
}

describe('Batch.restore', () => {
  it('lists 300 stored outputs without reading one Blob; a download reads its Blob then', async () => {
    n++;
    const store = new OutputStore(`restore-${n}`);
    for (let i = 0; i < 300; i++) await store.put(record(`job-${i}`, 1000 + i), new Blob([new Uint8Array([0xff, 0xfb, i % 256, 2])], { type: 'audio/mpeg' }));
    const again = new OutputStore(`restore-${n}`);
    const getBlob = vi.spyOn(again, 'getBlob');
    const batch = batchOver(again);
    await batch.restore();
    const jobs = batch.listJobs();
    expect(jobs).toHaveLength(300);
    expect(jobs.every((job) => job.state === 'done')).toBe(true);
    expect(jobs.map((job) => job.outputName).slice(0, 3)).toEqual(['job-0.mp3', 'job-1.mp3', 'job-2.mp3']);
    expect(getBlob).not.toHaveBeenCalled();
    expect(batch.outputUrl('job-7')).toBeUndefined();

    const url = await batch.outputLink('job-7');
    expect(getBlob).toHaveBeenCalledTimes(1);
    expect(url).toMatch(/^blob:/);
    const bytes = new Uint8Array(await (await fetch(url ?? '')).arrayBuffer());
    expect([...bytes]).toEqual([0xff, 0xfb, 7, 2]);
    // Asked again: the same address, no second read.
    expect(await batch.outputLink('job-7')).toBe(url);
    expect(batch.outputUrl('job-7')).toBe(url);
    expect(getBlob).toHaveBeenCalledTimes(1);
  });

  it('a record whose Blob is gone stays on the list, failed, saying so; its Delete removes the record', async () => {
    n++;
    const store = new OutputStore(`restore-${n}`);
    await store.put(record('kept', 1), new Blob([new Uint8Array([1])]));
    await store.put(record('lost', 2), new Blob([new Uint8Array([2])]));
    // The bytes go behind the page's back (the browser cleared them, another tool deleted them).
    const blobs = await store.blobIds();
    expect([...blobs].sort()).toEqual(['kept', 'lost']);
    await deleteStoredBlob({ database: `restore-${n}-output-blobs`, id: 'lost' });

    const batch = batchOver(new OutputStore(`restore-${n}`));
    await batch.restore();
    const byId = new Map(batch.listJobs().map((job) => [job.id, job]));
    expect(byId.get('kept')?.state).toBe('done');
    expect(byId.get('lost')?.state).toBe('failed');
    expect(byId.get('lost')?.error).toBe(MISSING_OUTPUT_SENTENCE);
    expect(await batch.outputLink('lost')).toBeUndefined();

    await batch.deleteJob('lost');
    expect(batch.listJobs().map((job) => job.id)).toEqual(['kept']);
    expect((await new OutputStore(`restore-${n}`).list()).map((r) => r.id)).toEqual(['kept']);
  });

  it('a Blob that goes after the reload fails its job when it is downloaded, with the same sentence', async () => {
    n++;
    const store = new OutputStore(`restore-${n}`);
    await store.put(record('late', 1), new Blob([new Uint8Array([1])]));
    const batch = batchOver(new OutputStore(`restore-${n}`));
    await batch.restore();
    await deleteStoredBlob({ database: `restore-${n}-output-blobs`, id: 'late' });
    expect(await batch.outputLink('late')).toBeUndefined();
    expect(batch.listJobs()[0]?.state).toBe('failed');
    expect(batch.listJobs()[0]?.error).toBe(MISSING_OUTPUT_SENTENCE);
  });
});
