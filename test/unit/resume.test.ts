/**
 * Interrupted jobs (issue 11): the matching rules, the job store, and the Batch that
 * persists jobs as they change, brings them back interrupted, and requeues them when
 * the same file is added again.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Batch, type BatchDeps } from '../../src/session/batch';
import type { Job } from '../../src/jobs/job';
import { changedSentence, matchInterrupted, sameFile } from '../../src/jobs/resume-match';
import { Scheduler, type JobOutcome } from '../../src/jobs/scheduler';
import type { WorkerPool } from '../../src/pool/worker-pool';
import { JobStore } from '../../src/storage/job-store';
import type { JobRecord, KeptSegments } from '../../src/storage/records';
import type { SegmentKeeper } from '../../src/storage/segment-keeper';
import { OutputStore } from '../../src/storage/output-store';

const FLOWER = { name: 'flower.mp4', size: 1_128_375, lastModified: 1_700_000_000_000 };
const FRIDAY = { name: 'friday.mp4', size: 515_198, lastModified: 1_700_000_100_000 };

describe('matchInterrupted', () => {
  const jobs = [
    { id: 'a', source: FLOWER },
    { id: 'b', source: FRIDAY },
    { id: 'c', source: FLOWER },
  ];

  it('a file with the same name, size and time resumes every job made from it, in order', () => {
    const { matched, changed } = matchInterrupted(jobs, [FRIDAY, FLOWER]);
    expect([...matched]).toEqual([
      [0, ['b']],
      [1, ['a', 'c']],
    ]);
    expect(changed).toEqual([]);
  });

  it('a different size is a changed file: named, not matched', () => {
    const { matched, changed } = matchInterrupted(jobs, [{ ...FLOWER, size: FLOWER.size + 1000 }]);
    expect(matched.size).toBe(0);
    expect(changed).toEqual(['flower.mp4']);
  });

  it('a different last-modified time is a changed file too', () => {
    const { matched, changed } = matchInterrupted(jobs, [{ ...FRIDAY, lastModified: FRIDAY.lastModified + 1 }]);
    expect(matched.size).toBe(0);
    expect(changed).toEqual(['friday.mp4']);
  });

  it('a file no interrupted job knows is neither matched nor named', () => {
    const { matched, changed } = matchInterrupted(jobs, [{ name: 'other.mp4', size: 1, lastModified: 1 }]);
    expect(matched.size).toBe(0);
    expect(changed).toEqual([]);
  });

  it('the same name with a different size does not match by name alone; the unchanged twin still does', () => {
    const { matched, changed } = matchInterrupted(jobs, [{ ...FLOWER, size: 3 }, FLOWER]);
    expect([...matched]).toEqual([[1, ['a', 'c']]]);
    expect(changed).toEqual(['flower.mp4']);
  });

  it('a file added twice resumes its jobs once', () => {
    const { matched } = matchInterrupted(jobs, [FRIDAY, FRIDAY]);
    expect([...matched]).toEqual([[0, ['b']]]);
  });

  it('sameFile compares all three; changedSentence names the files', () => {
    expect(sameFile(FLOWER, { ...FLOWER })).toBe(true);
    expect(sameFile(FLOWER, { ...FLOWER, name: 'Flower.mp4' })).toBe(false);
    expect(changedSentence([])).toBeNull();
    expect(changedSentence(['flower.mp4'])).toMatch(/^flower\.mp4 has changed since/);
    expect(changedSentence(['a.mp4', 'b.mp4'])).toMatch(/^a\.mp4, b\.mp4 have changed since/);
  });
});

let prefix = 0;
function fresh(): string {
  prefix++;
  return `resume-test-${prefix}`;
}

function jobRecord(id: string, queuedAt: number, patch: Partial<JobRecord> = {}): JobRecord {
  return { id, source: { ...FLOWER, displayName: FLOWER.name }, presetId: 'mp3-audio', outputName: 'flower.mp3', queuedAt, state: 'queued', ...patch };
}

describe('JobStore', () => {
  it('keeps records across a new store over the same database, in the order jobs were made', async () => {
    const name = fresh();
    const store = new JobStore(name);
    await store.put(jobRecord('late', 30));
    await store.put(jobRecord('early', 10, { state: 'running' }));
    await store.put(jobRecord('middle', 20));
    const again = new JobStore(name);
    expect((await again.list()).map((r) => [r.id, r.state])).toEqual([
      ['early', 'running'],
      ['middle', 'queued'],
      ['late', 'queued'],
    ]);
    await again.delete('middle');
    expect((await store.list()).map((r) => r.id)).toEqual(['early', 'late']);
    expect(await new JobStore(fresh()).list()).toEqual([]);
  });

  it('a record whose handle cannot be stored is kept without it', async () => {
    const store = new JobStore(fresh());
    const handle = { kind: 'file', name: 'flower.mp4', getFile: () => Promise.resolve(null) } as unknown as FileSystemFileHandle;
    await store.put(jobRecord('x', 1, { handle }));
    const [stored] = await store.list();
    expect(stored?.id).toBe('x');
    expect(stored?.handle).toBeUndefined();
  });
});

describe('JobStore: kept segments of a split job', () => {
  const kept: KeptSegments = {
    source: FLOWER,
    presetId: 'flv-320x240',
    count: 2,
    plan: 'plan',
    finished: [{ index: 0, folder: ['ffbatch-segments', 'a', 'run-1'], name: 'segment-0.nut', bytes: 10 }],
  };

  it('are kept apart from the job record: rewriting the record (requeue) keeps them; deleting the job removes them', async () => {
    const name = fresh();
    const store = new JobStore(name);
    await store.put(jobRecord('a', 1, { state: 'running' }));
    await store.putSegments('a', kept);
    await store.put(jobRecord('a', 1, { state: 'queued' }));
    const again = new JobStore(name);
    expect(await again.getSegments('a')).toEqual(kept);
    expect(await again.segmentJobIds()).toEqual(['a']);
    await again.delete('a');
    expect(await again.getSegments('a')).toBeNull();
    expect(await again.segmentJobIds()).toEqual([]);
  });
});

/** Records what the Batch asks of the segment keeper. */
function fakeKeeper(): SegmentKeeper & { calls: string[] } {
  const calls: string[] = [];
  const keeper = {
    calls,
    remove: (id: string) => {
      calls.push(`remove ${id}`);
      return Promise.resolve();
    },
    removeOrphans: (live: ReadonlySet<string>) => {
      calls.push(`orphans except ${[...live].sort().join(',')}`);
      return Promise.resolve([]);
    },
  };
  return keeper as unknown as SegmentKeeper & { calls: string[] };
}

/** A Batch whose probes never end: jobs stay queued (never run), which is all these tests need. */
function makeBatch(
  names: { jobs: string; outputs: string },
  segmentKeeper: SegmentKeeper | null = null,
  presence: BatchDeps['presence'] = null,
): { batch: Batch; jobStore: JobStore; outputs: OutputStore } {
  const pool = { probe: () => new Promise(() => {}), warmUp: () => {}, setSize: () => {} } as unknown as WorkerPool;
  const jobStore = new JobStore(names.jobs);
  const outputs = new OutputStore(names.outputs);
  const deps: BatchDeps = { encodePool: pool, probePool: pool, store: outputs, scratch: null, budget: null, workers: 2, jobStore, segmentKeeper, presence };
  return { batch: new Batch(deps), jobStore, outputs };
}

function file(key: typeof FLOWER, extra = 0): File {
  return new File([new Uint8Array(key.size + extra)], key.name, { lastModified: key.lastModified });
}

/** Lets queued job-store writes land. */
async function writesDone(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('Batch: jobs survive a reload as interrupted', () => {
  it('persists queued jobs, restores them interrupted in order, and requeues them for the same file only', async () => {
    const names = { jobs: fresh(), outputs: fresh() };
    const first = makeBatch(names);
    first.batch.addFiles([{ file: file(FLOWER) }, { file: file(FRIDAY) }]);
    const made = first.batch.encode(['mp3-audio', 'flv-320x240']);
    expect(made).toHaveLength(4);
    await writesDone();
    const stored = await first.jobStore.list();
    expect(stored.map((r) => r.id)).toEqual(made.map((j) => j.id));
    expect(stored[0]?.source).toEqual({ ...FLOWER, displayName: 'flower.mp4' });

    // A done output of one of them was stored just before the page went: it comes back done, not interrupted.
    const doneId = made[3]?.id ?? '';
    await first.outputs.put(
      { id: doneId, sourceName: 'friday.mp4', sourceSize: FRIDAY.size, sourceLastModified: FRIDAY.lastModified, presetId: 'flv-320x240', outputName: 'friday.flv', outputSize: 4, mimeType: 'video/x-flv', startedAt: 1, endedAt: 2, exitCode: 0, logTail: [] },
      new Blob(['done']),
    );

    const second = makeBatch(names);
    await second.batch.restore();
    const states = (): [string, string][] => second.batch.listJobs().map((j) => [j.id, j.state]);
    expect(states().filter(([, s]) => s === 'interrupted').map(([id]) => id)).toEqual(made.slice(0, 3).map((j) => j.id));
    expect(second.batch.listJobs().find((j) => j.id === doneId)?.state).toBe('done');
    expect(second.batch.interruptedCount()).toBe(3);
    // The scheduler never runs an interrupted job.
    expect(second.batch.scheduler.runningCount).toBe(0);
    await writesDone();
    expect((await second.jobStore.list()).map((r) => r.id)).not.toContain(doneId);

    // Friday grew since: named, not matched.
    const grown = second.batch.addFiles([{ file: file(FRIDAY, 100) }]);
    expect(grown.changed).toEqual(['friday.mp4']);
    expect(second.batch.resumeNote).toMatch(/friday\.mp4 has changed/);
    expect(second.batch.interruptedCount()).toBe(3);

    // The same flower: its two jobs are queued again on the new source.
    const [flower] = second.batch.addFiles([{ file: file(FLOWER) }]);
    const flowerJobs = second.batch.listJobs().filter((j) => j.sourceName === 'flower.mp4');
    expect(flowerJobs.map((j) => j.state)).toEqual(['queued', 'queued']);
    expect(flowerJobs.every((j) => j.sourceId === flower?.id && j.startedAt === null && j.progress === 0)).toBe(true);
    expect(second.batch.interruptedCount()).toBe(1);
    // Encode again with the same presets makes no twins of the requeued jobs: only the grown copy's two.
    expect(second.batch.newJobCount(['mp3-audio', 'flv-320x240'])).toBe(2);

    // Deleting the last interrupted job removes its record; the done output is untouched.
    const left = second.batch.listJobs().find((j) => j.state === 'interrupted');
    await second.batch.deleteJob(left?.id ?? '');
    expect(second.batch.interruptedCount()).toBe(0);
    await writesDone();
    expect((await second.jobStore.list()).map((r) => r.id).sort()).toEqual(flowerJobs.map((j) => j.id).sort());
    expect(await (await second.outputs.getBlob(doneId))?.text()).toBe('done');
  });

  it('a job record is removed when the job ends, whatever the end', async () => {
    const names = { jobs: fresh(), outputs: fresh() };
    const { batch, jobStore } = makeBatch(names);
    batch.addFiles([{ file: file(FLOWER) }]);
    const [job] = batch.encode(['mp3-audio']);
    await writesDone();
    expect(await jobStore.list()).toHaveLength(1);
    batch.cancel(job?.id ?? '');
    await writesDone();
    expect(await jobStore.list()).toEqual([]);
  });
});

describe('Batch: kept segments are not left behind', () => {
  it('at start, kept segments of jobs with no record (or a stored output) are removed; deleting an interrupted job removes its own', async () => {
    const names = { jobs: fresh(), outputs: fresh() };
    const jobStore = new JobStore(names.jobs);
    await jobStore.put(jobRecord('interrupted-1', 1));
    await jobStore.put(jobRecord('stored-before-reload', 2));
    const outputs = new OutputStore(names.outputs);
    await outputs.put(
      { id: 'stored-before-reload', sourceName: 'flower.mp4', sourceSize: FLOWER.size, sourceLastModified: FLOWER.lastModified, presetId: 'mp3-audio', outputName: 'flower.mp3', outputSize: 4, mimeType: 'audio/mpeg', startedAt: 1, endedAt: 2, exitCode: 0, logTail: [] },
      new Blob(['done']),
    );
    const keeper = fakeKeeper();
    const { batch } = makeBatch(names, keeper);
    await batch.restore();
    await writesDone();
    expect(keeper.calls).toEqual(['orphans except interrupted-1']);
    await batch.deleteJob('interrupted-1');
    await writesDone();
    expect(keeper.calls).toEqual(['orphans except interrupted-1', 'remove interrupted-1']);
  });

  it('no clean-up at all when the job records cannot be read (every kept segment would look orphaned)', async () => {
    const keeper = fakeKeeper();
    const { batch, jobStore } = makeBatch({ jobs: fresh(), outputs: fresh() }, keeper);
    jobStore.list = () => Promise.reject(new Error('IndexedDB is unavailable'));
    await batch.restore();
    await writesDone();
    expect(keeper.calls).toEqual([]);
  });
});

describe('Scheduler: interrupted jobs', () => {
  it('an adopted interrupted job never runs until requeued, then runs from the beginning', async () => {
    const ran: string[] = [];
    const scheduler = new Scheduler(
      (job): Promise<JobOutcome> => {
        ran.push(job.id);
        return Promise.resolve({ outputSize: 1 });
      },
      { concurrency: 2 },
    );
    const job = { id: 'j', state: 'interrupted', progress: 0.4, startedAt: 5, queuedAt: 1, cost: 1, log: [] } as unknown as Job;
    scheduler.adopt(job);
    scheduler.wake();
    expect(ran).toEqual([]);
    scheduler.requeue('j', { sourceId: 's' });
    expect(ran).toEqual(['j']);
    expect(job.sourceId).toBe('s');
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(job.state).toBe('done');
  });
});

/** A tab among open ones, as TabPresence tells it: `open` are the page ids holding their lock now. */
function presenceOf(id: string, open: string[], previousId: string | null = null): NonNullable<BatchDeps['presence']> {
  return { id, openTabs: () => Promise.resolve(new Set([id, ...open])), isThisTab: (pageId) => pageId === id || pageId === previousId };
}

describe('Batch: jobs of another open tab', () => {
  it('records the tab that runs a job; another open tab leaves its jobs alone (not interrupted, not resumable) and says so', async () => {
    const names = { jobs: fresh(), outputs: fresh() };
    const a = makeBatch(names, fakeKeeper(), presenceOf('page-a', []));
    a.batch.addFiles([{ file: file(FLOWER) }]);
    const made = a.batch.encode(['mp3-audio', 'flv-320x240']);
    await writesDone();
    expect((await a.jobStore.list()).map((r) => r.tab)).toEqual(['page-a', 'page-a']);

    // Tab B opens while A is open: A's jobs are not B's to show or to resume; their kept segments stay.
    const keeperOfB = fakeKeeper();
    const b = makeBatch(names, keeperOfB, presenceOf('page-b', ['page-a']));
    await b.batch.restore();
    expect(b.batch.listJobs()).toEqual([]);
    expect(b.batch.interruptedCount()).toBe(0);
    expect(b.batch.otherTabNote).toBe('When this page opened, 2 unfinished jobs belonged to another open ffbatch tab; they are left to that tab, and their outputs show here after a reload.');
    await writesDone();
    expect(keeperOfB.calls).toEqual([`orphans except ${made.map((j) => j.id).sort().join(',')}`]);
    expect(await b.jobStore.list()).toHaveLength(2);

    // A reload of tab A (its previous page's lock maybe not yet let go): the jobs are its own, interrupted.
    const reloadedA = makeBatch(names, fakeKeeper(), presenceOf('page-a2', ['page-a'], 'page-a'));
    await reloadedA.batch.restore();
    expect(reloadedA.batch.interruptedCount()).toBe(2);
    expect(reloadedA.batch.otherTabNote).toBeNull();
    // The reloaded page takes them over: while it is open, they are still its own and no other tab's.
    await writesDone();
    expect((await reloadedA.jobStore.list()).map((r) => r.tab)).toEqual(['page-a2', 'page-a2']);
    const whileA2 = makeBatch(names, fakeKeeper(), presenceOf('page-c', ['page-a2']));
    await whileA2.batch.restore();
    expect(whileA2.batch.interruptedCount()).toBe(0);

    // Once tab A is closed (its lock let go), any tab takes them as interrupted.
    const c = makeBatch(names, fakeKeeper(), presenceOf('page-d', []));
    await c.batch.restore();
    expect(c.batch.interruptedCount()).toBe(2);
    expect(c.batch.otherTabNote).toBeNull();
  });
});
