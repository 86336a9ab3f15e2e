import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JobStore } from '../../src/storage/job-store';
import { OutputStore } from '../../src/storage/output-store';
import { outputRecord } from '../support/output-record';
import { readJobRecord, readKeptSegments, readOutputRecord, type JobRecord, type KeptSegments, type OutputRecord } from '../../src/storage/records';

let prefix = 0;

const output: OutputRecord = outputRecord('good');

const job: JobRecord = {
  id: 'good',
  source: { name: 'holiday.avi', size: 1_000_000, lastModified: 1_700_000_000_000, displayName: 'trip/holiday.avi' },
  presetId: 'mp4-h264-480p',
  outputName: 'holiday.mp4',
  queuedAt: 1_000,
  state: 'queued',
};

const kept: KeptSegments = {
  source: { name: 'holiday.avi', size: 1_000_000, lastModified: 1_700_000_000_000 },
  presetId: 'mp4-h264-480p',
  count: 2,
  plan: '[]',
  finished: [{ index: 0, folder: ['ffbatch-segments', 'good'], name: 'seg-0.mp4', bytes: 10 }],
};

afterEach(() => vi.restoreAllMocks());

describe('records read back from IndexedDB', () => {
  it('each reader accepts its own shape and names the first field it cannot read', () => {
    expect(readOutputRecord(output)).toEqual(output);
    expect(readJobRecord(job)).toEqual(job);
    expect(readKeptSegments(kept)).toEqual(kept);
    expect(() => readOutputRecord({ ...output, outputSize: '3' })).toThrow('An output record has no valid "outputSize".');
    expect(() => readJobRecord({ ...job, state: 'done' })).toThrow('A kept job record has no valid "state".');
    expect(() => readJobRecord({ ...job, source: { name: 'holiday.avi' } })).toThrow('has no valid "source"');
    expect(() => readKeptSegments({ ...kept, finished: [{ index: 0 }] })).toThrow('A kept-segments record has no valid "finished".');
    expect(() => readOutputRecord('a string')).toThrow('An output record is not an object.');
  });

  it('an output store skips a record it cannot read with a log line; the good one is still listed and got', async () => {
    prefix++;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = new OutputStore(`records-test-${prefix}`);
    await store.put(output, new Blob(['abc']));
    await set('old', { id: 'old', sourceName: 'x.avi', outputName: 42 }, createStore(`records-test-${prefix}-output-records`, 'records'));
    expect((await store.list()).map((r) => r.id)).toEqual(['good']);
    expect(await store.getRecord('old')).toBeUndefined();
    expect(await store.getRecord('good')).toEqual(output);
    expect(warn).toHaveBeenCalledWith('[ffbatch] Skipped the stored record old: An output record has no valid "sourceSize".');
  });

  it('a job store skips a malformed job record and a malformed kept-segments record with a log line', async () => {
    prefix++;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = new JobStore(`records-test-${prefix}`);
    await store.put(job);
    await set('broken', { id: 'broken', queuedAt: 'soon' }, createStore(`records-test-${prefix}-jobs`, 'jobs'));
    await set('null', null, createStore(`records-test-${prefix}-jobs`, 'jobs'));
    expect((await store.list()).map((r) => r.id)).toEqual(['good']);
    await store.putSegments('good', kept);
    await set('broken', { source: null }, createStore(`records-test-${prefix}-job-segments`, 'segments'));
    expect(await store.getSegments('good')).toEqual(kept);
    expect(await store.getSegments('broken')).toBeNull();
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([
      '[ffbatch] Skipped the stored record broken: A kept job record has no valid "source".',
      '[ffbatch] Skipped the stored record null: A kept job record is not an object.',
      '[ffbatch] Skipped the stored record broken: A kept-segments record has no valid "source".',
    ]);
  });
});
