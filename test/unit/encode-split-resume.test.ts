/**
 * Issue 11: the encode runner resuming a split job. With a fake pool and an in-memory
 * segment keeper: only the segments that were not kept are encoded, the kept ones go into
 * the join as they are, each finished segment is recorded, and the kept ones are removed
 * when the job ends.
 */
import { describe, expect, it } from 'vitest';
import { createEncodeRunner, type EncodeRunnerDeps } from '../../src/jobs/encode-job';
import { newJob } from '../../src/jobs/job';
import type { RunContext } from '../../src/jobs/scheduler';
import type { KeptSegment, KeptSegments } from '../../src/storage/records';
import type { Source } from '../../src/jobs/source';
import type { RunRequest } from '../../workers/protocol';

const FILE = new File([new Uint8Array(4000)], 'trailer.flv', { lastModified: 1_700_000_000_000 });
const SOURCE: Source = {
  id: 'source-1',
  file: FILE,
  displayName: 'trailer.flv',
  info: {
    durationSec: 33,
    container: 'flv',
    video: { codec: 'flv1', width: 704, height: 544, displayWidth: 704, displayHeight: 544, rotation: 0, fps: 25 },
    audio: { codec: 'mp3', channels: 1, sampleRate: 44100 },
  },
  problem: null,
  probing: false,
  probed: Promise.resolve(),
};

/** Segment keeper over memory: what is recorded, and which files are "on disk". */
function memoryKeeper(initial: KeptSegments | null, runsElsewhere = false): NonNullable<EncodeRunnerDeps['segmentKeeper']> & { record: KeptSegments | null; onDisk: Map<string, number>; removed: string[] } {
  const onDisk = new Map<string, number>();
  const pathOf = (s: KeptSegment): string => [...s.folder, s.name].join('/');
  for (const s of initial?.finished ?? []) onDisk.set(pathOf(s), s.bytes);
  let runs = 0;
  const keeper = {
    record: initial,
    onDisk,
    removed: [] as string[],
    claim: () => Promise.resolve(!runsElsewhere),
    load: () => Promise.resolve(keeper.record ? { kept: keeper.record, sizes: new Map(keeper.record.finished.map((s) => [s, onDisk.get(pathOf(s)) ?? null])) } : null),
    begin: (_id: string, plan: Omit<KeptSegments, 'finished'>, reused: readonly KeptSegment[]) => {
      keeper.record = { ...plan, finished: [...reused] };
      return Promise.resolve();
    },
    folderForSegment: (id: string) => ['ffbatch-segments', id, `run-${++runs}`],
    finished: (_id: string, segment: KeptSegment) => {
      onDisk.set(pathOf(segment), segment.bytes);
      keeper.record?.finished.push(segment);
      return Promise.resolve(true);
    },
    file: (segment: KeptSegment) => Promise.resolve(new File([new Uint8Array(segment.bytes)], segment.name)),
    remove: (id: string) => {
      keeper.removed.push(id);
      return Promise.resolve();
    },
  };
  return keeper;
}

/** Runs one flv-320x240 job with two slots; returns the pool's requests and the job's log. */
async function runJob(keeper: ReturnType<typeof memoryKeeper>): Promise<{ requests: RunRequest[]; log: string[] }> {
  const requests: RunRequest[] = [];
  const deps: EncodeRunnerDeps = {
    pool: {
      run: (request: RunRequest) => {
        requests.push(request);
        const name = request.outputs[0] ?? 'out';
        // A segment of 1000 + its index bytes; the joined output 5000.
        const size = name.startsWith('segment-') ? 1000 + Number(/segment-(\d+)/.exec(name)?.[1]) : 5000;
        return Promise.resolve({ exitCode: 0, outputs: [new File([new Uint8Array(size)], name)], writeFailure: null });
      },
    },
    store: { put: (_record, blob) => Promise.resolve(blob) },
    scratch: { storeCopiesFiles: true, folderForRun: (id) => ['ffbatch-scratch', 'tab', id, 'run'], removeJob: () => Promise.resolve() },
    budget: null,
    sourceOf: () => SOURCE,
    onStored: () => {},
    splitPolicy: { splitAboveSec: 20, minSegmentSec: 10 },
    segmentKeeper: keeper,
  };
  const job = newJob({ id: 'job-1', sourceId: SOURCE.id, sourceName: FILE.name, presetId: 'flv-320x240', outputName: 'trailer.flv', state: 'running', queuedAt: 1 });
  const context: RunContext = { signal: new AbortController().signal, slots: 2, onLog: (lines) => job.log.push(...lines), onProgress: () => {}, update: () => {}, whileWaiting: (waiting) => waiting };
  await createEncodeRunner(deps)(job, context);
  return { requests, log: job.log };
}

const segmentRuns = (requests: RunRequest[]): string[] => requests.filter((r) => r.outputs[0]?.startsWith('segment-')).map((r) => r.outputs[0] ?? '');

describe('a split job resumed from kept segments', () => {
  it('a first run encodes both segments, each in the job’s kept folder, records them, and removes them once done', async () => {
    const keeper = memoryKeeper(null);
    const { requests, log } = await runJob(keeper);
    expect(segmentRuns(requests)).toEqual(['segment-0.nut', 'segment-1.nut']);
    for (const r of requests.slice(0, 2)) expect(r.scratchFolder?.slice(0, 2)).toEqual(['ffbatch-segments', 'job-1']);
    expect(keeper.record?.finished.map((s) => [s.index, s.bytes])).toEqual([
      [0, 1000],
      [1, 1001],
    ]);
    expect(log.join('\n')).not.toContain('reused');
    expect(keeper.removed).toEqual(['job-1']);
  });

  it('after a reload with segment 1 kept: only segment 2 is encoded, and the join gets the kept one', async () => {
    // What a first run left: the same file, preset and plan, segment 0 finished.
    const first = memoryKeeper(null);
    await runJob(first);
    const plan = first.record;
    if (!plan) throw new Error('the first run recorded nothing');
    const keeper = memoryKeeper({ ...plan, finished: plan.finished.filter((s) => s.index === 0) });
    const { requests, log } = await runJob(keeper);
    expect(segmentRuns(requests)).toEqual(['segment-1.nut']);
    expect(log).toContain('[ffbatch] Resumed: reused 1 of 2 segments kept from before the interruption; encoding 1.');
    expect(log.filter((l) => l.startsWith('[ffbatch] Encoding segment'))).toEqual(['[ffbatch] Encoding segment 2 of 2.']);
    const join = requests.at(-1);
    expect(join?.inputs.map((i) => [i.name, i.data.size])).toEqual([
      ['input.flv', FILE.size],
      ['segment-0.nut', 1000],
      ['segment-1.nut', 1001],
    ]);
  });

  it('a kept segment whose file shrank is encoded again', async () => {
    const first = memoryKeeper(null);
    await runJob(first);
    const plan = first.record;
    if (!plan) throw new Error('the first run recorded nothing');
    const keeper = memoryKeeper(plan);
    const [zero] = plan.finished;
    if (zero) keeper.onDisk.set([...zero.folder, zero.name].join('/'), 10);
    const { requests, log } = await runJob(keeper);
    expect(segmentRuns(requests)).toEqual(['segment-0.nut']);
    expect(log.join('\n')).toContain('Segment 1 is encoded again: its file has 10 bytes, not the 1000 recorded.');
  });

  it('a job another tab runs (its lock is held there): this tab keeps nothing and leaves that tab’s segments alone', async () => {
    const first = memoryKeeper(null);
    await runJob(first);
    const plan = first.record;
    if (!plan) throw new Error('the first run recorded nothing');
    const keeper = memoryKeeper(plan, true);
    const { requests, log } = await runJob(keeper);
    expect(segmentRuns(requests)).toEqual(['segment-0.nut', 'segment-1.nut']);
    for (const r of requests) expect(r.scratchFolder?.[0]).toBe('ffbatch-scratch');
    expect(keeper.record).toEqual(plan);
    expect(log.join('\n')).not.toContain('kept on disk');
  });

  it('kept segments of another source file are not used', async () => {
    const first = memoryKeeper(null);
    await runJob(first);
    const plan = first.record;
    if (!plan) throw new Error('the first run recorded nothing');
    const keeper = memoryKeeper({ ...plan, source: { ...plan.source, size: plan.source.size + 1 } });
    const { requests, log } = await runJob(keeper);
    expect(segmentRuns(requests)).toEqual(['segment-0.nut', 'segment-1.nut']);
    expect(log.join('\n')).toContain('Kept segments not reused: the source file changed since they were made; encoding all 2.');
  });
});
