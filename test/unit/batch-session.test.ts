/**
 * openBatchSession: the public API the page is built on (issue 10). Fake ffmpeg workers; real
 * stores (fake-indexeddb). A second session on the same stores stands for a reload.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBatchSession, type BatchSession, type SessionBatch } from '../../src/index';
import { Lab, mp3 } from '../support/fake-ffmpeg-workers';

let lab = new Lab();
const sessions: BatchSession[] = [];
let storeNumber = 0;

/** b.wav as the person's disk has it: resuming matches name, size and last-modified time. */
function songB(size = 2000): File {
  return new File([new Uint8Array(size)], 'b.wav', { type: 'audio/wav', lastModified: 1_700_000_000_000 });
}

async function open(storeName: string, workers = 1): Promise<BatchSession> {
  const session = await openBatchSession({ workers, engine: 'ffmpeg', createWorker: lab.createWorker, storeName });
  sessions.push(session);
  await session.start();
  return session;
}

/** Adds files and waits until each is probed. */
async function addProbed(batch: SessionBatch, files: File[]): Promise<void> {
  const added = batch.addFiles(files.map((file) => ({ file, displayName: file.name })));
  await Promise.all(added.map((source) => source.probed));
}

/** Each job as "source state", sorted (a restored output's job and an interrupted one keep their own times). */
function states(batch: SessionBatch): string[] {
  return batch.listJobs().map((job) => `${job.sourceName} ${job.state}`).sort();
}

beforeAll(() => {
  // Node 20 has neither navigator (no OPFS, no storage estimate) nor localStorage (the upload settings).
  if (typeof navigator === 'undefined') vi.stubGlobal('navigator', {});
  const settings = new Map<string, string>();
  vi.stubGlobal('localStorage', { getItem: (key: string) => settings.get(key) ?? null, setItem: (key: string, value: string) => settings.set(key, value) });
});

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  for (const worker of lab.workers) worker.terminate();
  lab = new Lab();
});

describe('openBatchSession', () => {
  it('refuses bad options with TypeErrors naming the field, as createEncoder does', async () => {
    await expect(openBatchSession({ workers: 0 })).rejects.toThrow(/^options\.workers/);
    await expect(openBatchSession({ workers: 1.5 })).rejects.toBeInstanceOf(TypeError);
    await expect(openBatchSession({ engine: 'fast' as 'auto' })).rejects.toThrow(/^options\.engine/);
    await expect(openBatchSession({ assetsURL: 3 as unknown as string })).rejects.toThrow(/^options\.assetsURL/);
  });

  it('encodes a batch and stores its outputs; a new session on the same stores (a reload) restores them and brings the unfinished job back interrupted', async () => {
    const storeName = `session-test-${++storeNumber}`;
    const first = await open(storeName);
    await addProbed(first.batch, [mp3('a.wav'), songB()]);
    expect(first.batch.newJobCount(['mp3-audio'])).toBe(2);
    const jobs = first.batch.encode(['mp3-audio']);
    expect(jobs.map((job) => job.outputName)).toEqual(['a.mp3', 'b.mp3']);
    // One worker: the first job runs, finishes and is stored; then the second starts.
    const [run] = await lab.runsStarted(1);
    run?.finish();
    await lab.runsStarted(2);
    await vi.waitFor(() => expect(states(first.batch)).toEqual(['a.wav done', 'b.wav running']));
    expect((await first.batch.usage()).outputsBytes).toBe(4);

    const reloaded = await open(storeName);
    expect(states(reloaded.batch)).toEqual(['a.wav done', 'b.wav interrupted']);
    expect(reloaded.batch.interruptedCount()).toBe(1);
    const restored = reloaded.batch.listJobs().find((job) => job.state === 'done');
    expect(restored?.outputSize).toBe(4);
    // Issue 15: a reload reads the records only; the Blob is read (and its address made) when it is downloaded.
    expect(reloaded.batch.outputUrl(restored?.id ?? '')).toBeUndefined();
    expect(await reloaded.batch.outputLink(restored?.id ?? '')).toMatch(/^blob:/);

    // Adding the same file again requeues its job; a file of another size is not matched.
    await addProbed(reloaded.batch, [songB(2001)]);
    expect(states(reloaded.batch)).toContain('b.wav interrupted');
    expect(reloaded.batch.resumeNote).toContain('b.wav');
    await addProbed(reloaded.batch, [songB()]);
    await vi.waitFor(() => expect(states(reloaded.batch)).toEqual(['a.wav done', 'b.wav running']));
  });

  it('close() cancels unfinished jobs and ends every worker', async () => {
    const session = await open(`session-test-${++storeNumber}`, 2);
    await addProbed(session.batch, [mp3('a.wav'), mp3('b.wav'), mp3('c.wav')]);
    session.batch.encode(['mp3-audio']);
    await lab.runsStarted(2);
    await session.close();
    expect(states(session.batch)).toEqual(['a.wav canceled', 'b.wav canceled', 'c.wav canceled']);
    expect(lab.workers.every((worker) => worker.terminated)).toBe(true);
  });
});
