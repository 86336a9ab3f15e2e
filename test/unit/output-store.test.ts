import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputStore, StorageFullError } from '../../src/storage/output-store';
import { outputRecord as record } from '../support/output-record';

let storeNumber = 0;

/** Each test gets databases of its own. */
function freshStore(): OutputStore {
  storeNumber++;
  return new OutputStore(`test-${storeNumber}`);
}

/** Bytes that survive only a faithful copy: every byte value, in a pattern. */
function pattern(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

async function bytesOf(blob: Blob | undefined): Promise<number[]> {
  if (!blob) throw new Error('no blob');
  return [...new Uint8Array(await blob.arrayBuffer())];
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('OutputStore: put, list, get', () => {
  it('stores a record and its blob; both read back the same', async () => {
    const store = freshStore();
    const bytes = pattern(70_000);
    const stored = await store.put(record('job-1', { outputSize: bytes.byteLength }), new Blob([bytes], { type: 'video/mp4' }));
    expect(stored.size).toBe(70_000);
    expect(await bytesOf(stored)).toEqual([...bytes]);

    const blob = await store.getBlob('job-1');
    expect(blob?.size).toBe(70_000);
    expect(blob?.type).toBe('video/mp4');
    expect(await bytesOf(blob)).toEqual([...bytes]);
    expect(await store.getRecord('job-1')).toEqual(record('job-1', { outputSize: 70_000 }));
  });

  it('lists every record, oldest first by end time, without the bytes', async () => {
    const store = freshStore();
    await store.put(record('late', { endedAt: 3_000 }), new Blob(['late']));
    await store.put(record('early', { endedAt: 1_000 }), new Blob(['early']));
    await store.put(record('middle', { endedAt: 2_000 }), new Blob(['middle']));
    const list = await store.list();
    expect(list.map((r) => r.id)).toEqual(['early', 'middle', 'late']);
    for (const r of list) expect(Object.values(r).some((v) => v instanceof Blob)).toBe(false);
  });

  it('a second put of one id replaces both record and blob', async () => {
    const store = freshStore();
    await store.put(record('job', { outputName: 'old.mp4' }), new Blob(['old bytes']));
    await store.put(record('job', { outputName: 'new.mp4' }), new Blob(['new']));
    expect((await store.list()).map((r) => r.outputName)).toEqual(['new.mp4']);
    expect(await (await store.getBlob('job'))?.text()).toBe('new');
  });

  it('unknown ids give undefined', async () => {
    const store = freshStore();
    expect(await store.getBlob('nope')).toBeUndefined();
    expect(await store.getRecord('nope')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('two stores with different prefixes do not see each other', async () => {
    const a = freshStore();
    const b = freshStore();
    await a.put(record('x'), new Blob(['x']));
    expect(await b.list()).toEqual([]);
    expect(await b.getBlob('x')).toBeUndefined();
  });

  it('outputs survive a new OutputStore over the same databases (a reload)', async () => {
    storeNumber++;
    const prefix = `reload-${storeNumber}`;
    const bytes = pattern(4096);
    await new OutputStore(prefix).put(record('kept'), new Blob([bytes], { type: 'audio/mpeg' }));
    const again = new OutputStore(prefix);
    expect((await again.list()).map((r) => r.id)).toEqual(['kept']);
    expect(await bytesOf(await again.getBlob('kept'))).toEqual([...bytes]);
  });
});

describe('OutputStore: a record never points at missing bytes', () => {
  it('when the blob cannot be written, no record is written either', async () => {
    const store = freshStore();
    const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    await expect(store.put(record('big'), new Blob(['x']))).rejects.toBeInstanceOf(StorageFullError);
    expect(put).toHaveBeenCalledTimes(1);
    expect(await store.getRecord('big')).toBeUndefined();
    expect(await store.getBlob('big')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('when the record cannot be written, the blob already written is removed', async () => {
    const store = freshStore();
    const realPut = Object.getOwnPropertyDescriptor(IDBObjectStore.prototype, 'put')?.value as (this: IDBObjectStore, value: unknown, key?: IDBValidKey) => IDBRequest<IDBValidKey>;
    let calls = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      calls++;
      if (calls === 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return realPut.call(this, value, key);
    });
    const error = await store.put(record('half'), new Blob(['bytes'])).catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as Error).message).toMatch(/storage .* is full/);
    expect(await store.getBlob('half')).toBeUndefined();
    expect(await store.getRecord('half')).toBeUndefined();
  });

  it('other write errors pass through unchanged, and still leave no blob behind', async () => {
    const store = freshStore();
    // A function cannot be cloned into IndexedDB: the record write fails with DataCloneError.
    const bad = record('unclonable', { upload: { state: 'uploading', resume: () => {} } });
    const error = await store.put(bad, new Blob(['bytes'])).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(StorageFullError);
    expect((error as Error).name).toBe('DataCloneError');
    expect(await store.getBlob('unclonable')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('delete removes the record and the blob', async () => {
    const store = freshStore();
    await store.put(record('a'), new Blob(['a']));
    await store.put(record('b'), new Blob(['b']));
    await store.delete('a');
    expect((await store.list()).map((r) => r.id)).toEqual(['b']);
    expect(await store.getBlob('a')).toBeUndefined();
    expect(await (await store.getBlob('b'))?.text()).toBe('b');
    await store.delete('does-not-exist');
    expect((await store.list()).map((r) => r.id)).toEqual(['b']);
  });

  it('deleteAll removes every record and blob', async () => {
    const store = freshStore();
    for (const id of ['a', 'b', 'c']) await store.put(record(id), new Blob([id]));
    await store.deleteAll();
    expect(await store.list()).toEqual([]);
    for (const id of ['a', 'b', 'c']) expect(await store.getBlob(id)).toBeUndefined();
  });

  it('every listed record has its blob, whatever the order of puts and deletes', async () => {
    const store = freshStore();
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.put(record(id), new Blob([id]))));
    await Promise.all([store.delete('b'), store.put(record('e'), new Blob(['e'])), store.delete('d')]);
    const ids = (await store.list()).map((r) => r.id).sort();
    expect(ids).toEqual(['a', 'c', 'e']);
    for (const id of ids) expect(await (await store.getBlob(id))?.text()).toBe(id);
  });
});

describe('OutputStore: uploads', () => {
  it('updateUpload sets, replaces and clears the upload state, keeping the rest', async () => {
    const store = freshStore();
    await store.put(record('job'), new Blob(['x']));
    await store.updateUpload('job', { state: 'uploading', resume: { key: 'k', uploadId: 'u', parts: [1, 2] } });
    expect((await store.getRecord('job'))?.upload).toEqual({ state: 'uploading', resume: { key: 'k', uploadId: 'u', parts: [1, 2] } });
    await store.updateUpload('job', { state: 'uploaded', location: 'https://bucket.example/holiday.mp4' });
    expect(await store.getRecord('job')).toEqual({ ...record('job'), upload: { state: 'uploaded', location: 'https://bucket.example/holiday.mp4' } });
    await store.updateUpload('job', undefined);
    const cleared = await store.getRecord('job');
    expect(cleared).toEqual(record('job'));
    expect(cleared && 'upload' in cleared).toBe(false);
    expect(await (await store.getBlob('job'))?.text()).toBe('x');
  });

  it('updateUpload of an unknown id creates nothing', async () => {
    const store = freshStore();
    await store.updateUpload('ghost', { state: 'upload-failed', error: 'HTTP 403' });
    expect(await store.getRecord('ghost')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });
});

describe('OutputStore: usage', () => {
  it('sums the stored outputs\' sizes; copes with a browser that has no navigator.storage', async () => {
    // E.g. a page served over plain http from another machine: StorageManager needs a secure context.
    vi.stubGlobal('navigator', {});
    const store = freshStore();
    expect((await store.usage()).outputsBytes).toBe(0);
    await store.put(record('a', { outputSize: 1_000 }), new Blob(['a']));
    await store.put(record('b', { outputSize: 2_500 }), new Blob(['b']));
    expect(await store.usage()).toEqual({ outputsBytes: 3_500, usedBytes: null, quotaBytes: null, persisted: null });
    await store.delete('a');
    expect((await store.usage()).outputsBytes).toBe(2_500);
    expect(await store.persist()).toBe(false);
  });

  it('reports the browser\'s estimate and persistence where it gives them', async () => {
    vi.stubGlobal('navigator', {
      storage: {
        estimate: () => Promise.resolve({ usage: 12_345, quota: 1_000_000 }),
        persisted: () => Promise.resolve(true),
        persist: () => Promise.resolve(true),
      },
    });
    const store = freshStore();
    await store.put(record('a', { outputSize: 700 }), new Blob(['a']));
    expect(await store.usage()).toEqual({ outputsBytes: 700, usedBytes: 12_345, quotaBytes: 1_000_000, persisted: true });
    expect(await store.persist()).toBe(true);
  });

  it('a failing estimate gives nulls, not an error', async () => {
    vi.stubGlobal('navigator', {
      storage: {
        estimate: () => Promise.reject(new Error('not allowed')),
        persisted: () => Promise.reject(new Error('not allowed')),
        persist: () => Promise.reject(new Error('not allowed')),
      },
    });
    const store = freshStore();
    expect(await store.usage()).toEqual({ outputsBytes: 0, usedBytes: null, quotaBytes: null, persisted: null });
    expect(await store.persist()).toBe(false);
  });
});
