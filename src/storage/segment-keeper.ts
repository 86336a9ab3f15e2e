/**
 * Where a split job's finished segments are kept across a reload or a crash (issue 11): an
 * OPFS folder per job under `ffbatch-segments/`, outside the per-tab scratch (whose folders
 * are removed once their tab is gone), and a record of the finished ones in the JobStore.
 * The folder and record go when the job ends or is deleted; at start, folders and records
 * of jobs that no longer exist are removed, so nothing is left behind for ever.
 *
 * Every open tab lists the jobs of the job store, so another tab may show a job that runs
 * here as interrupted: the tab running a job holds a Web Lock named after it, and no other
 * tab touches that job's segments while it is held.
 */
import type { KeptSegment, KeptSegments } from './records';
import type { JobStore } from './job-store';
import { removeEntryPatiently } from './scratch-space';

const ROOT = 'ffbatch-segments';
const LOCK_PREFIX = 'ffbatch-segments-';

export class SegmentKeeper {
  /** Every change, one after another: a removal never races the next run's record of the same job. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The record being written for each job running in this tab. */
  private readonly current = new Map<string, KeptSegments>();
  /** Releases of the job locks this tab holds. */
  private readonly locks = new Map<string, () => void>();

  constructor(private readonly jobs: Pick<JobStore, 'getSegments' | 'putSegments' | 'deleteSegments' | 'segmentJobIds'>) {}

  private serially<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => {});
    return result;
  }

  /**
   * Takes the job's lock for this tab, for as long as the job runs here. False when another
   * tab holds it (the same job resumed in two tabs): this tab then keeps no segments for it.
   */
  async claim(jobId: string): Promise<boolean> {
    if (this.locks.has(jobId) || typeof navigator.locks === 'undefined') return true;
    return new Promise<boolean>((claimed) => {
      void navigator.locks.request(LOCK_PREFIX + jobId, { ifAvailable: true }, (lock) => {
        if (!lock) {
          claimed(false);
          return;
        }
        return new Promise<void>((release) => {
          this.locks.set(jobId, release);
          claimed(true);
        });
      });
    });
  }

  /** Whether another tab runs the job now (it holds the job's lock). */
  private async runsElsewhere(jobId: string): Promise<boolean> {
    if (this.locks.has(jobId) || typeof navigator.locks === 'undefined') return false;
    const { held = [] } = await navigator.locks.query();
    return held.some((lock) => lock.name === LOCK_PREFIX + jobId);
  }

  /** The job's kept segments, with a `sizeOnDisk` for each finished one (null where its file is gone). */
  load(jobId: string): Promise<{ kept: KeptSegments; sizes: Map<KeptSegment, number | null> } | null> {
    return this.serially(async () => {
      const kept = await this.jobs.getSegments(jobId);
      if (!kept) return null;
      const sizes = new Map<KeptSegment, number | null>();
      for (const segment of kept.finished) sizes.set(segment, await sizeOf(segment));
      return { kept, sizes };
    });
  }

  /**
   * Starts the job's record over with the segments reused from it, and removes the
   * job's other files (segments left half written by the interrupted run).
   */
  begin(jobId: string, plan: Omit<KeptSegments, 'finished'>, reused: readonly KeptSegment[]): Promise<void> {
    return this.serially(async () => {
      const record: KeptSegments = { ...plan, finished: [...reused] };
      this.current.set(jobId, record);
      await this.jobs.putSegments(jobId, record);
      const keepRuns = new Set(reused.map((s) => s.folder[2]));
      const folder = await folderAt([ROOT, jobId]);
      if (!folder) return;
      for await (const name of folder.keys()) if (!keepRuns.has(name)) await removeEntryPatiently(folder, name);
    });
  }

  /** A new, empty folder for one segment's run (a run never meets a handle a dead worker still holds). */
  folderForSegment(jobId: string): string[] {
    return [ROOT, jobId, `run-${crypto.randomUUID()}`];
  }

  /**
   * Records a finished segment, once its file is on disk with `bytes` bytes. False when it is
   * not (the worker wrote it to memory): it cannot be kept then.
   */
  finished(jobId: string, segment: KeptSegment): Promise<boolean> {
    return this.serially(async () => {
      const record = this.current.get(jobId);
      if (!record || (await sizeOf(segment)) !== segment.bytes) return false;
      record.finished = [...record.finished.filter((s) => s.index !== segment.index), segment];
      await this.jobs.putSegments(jobId, record);
      return true;
    });
  }

  /** A kept segment's file (disk-backed). */
  async file(segment: KeptSegment): Promise<File> {
    const folder = await folderAt(segment.folder);
    if (!folder) throw new DOMException(`The kept segment ${segment.folder.join('/')}/${segment.name} is gone.`, 'NotFoundError');
    return (await folder.getFileHandle(segment.name)).getFile();
  }

  /** Removes a job's kept segments and their record (the job ended or was deleted), unless another tab runs it. */
  remove(jobId: string): Promise<void> {
    return this.serially(async () => {
      if (await this.runsElsewhere(jobId)) return;
      try {
        this.current.delete(jobId);
        await this.jobs.deleteSegments(jobId);
        const root = await folderAt([ROOT]);
        if (root) await removeEntryPatiently(root, jobId);
      } finally {
        this.locks.get(jobId)?.();
        this.locks.delete(jobId);
      }
    });
  }

  /** Removes kept segments and records of every job not in `liveJobIds` (jobs that ended while no page was there to clean up). */
  removeOrphans(liveJobIds: ReadonlySet<string>): Promise<string[]> {
    return this.serially(async () => {
      const removed = new Set<string>();
      for (const id of await this.jobs.segmentJobIds()) {
        if (liveJobIds.has(id) || (await this.runsElsewhere(id))) continue;
        await this.jobs.deleteSegments(id);
        removed.add(id);
      }
      const root = await folderAt([ROOT]);
      if (root) {
        const names: string[] = [];
        for await (const name of root.keys()) names.push(name);
        for (const name of names) {
          if (liveJobIds.has(name) || (await this.runsElsewhere(name))) continue;
          await removeEntryPatiently(root, name);
          removed.add(name);
        }
      }
      return [...removed];
    });
  }
}

/** The folder at `path` from the OPFS root, or null where it does not exist (nothing is created). */
async function folderAt(path: readonly string[]): Promise<FileSystemDirectoryHandle | null> {
  try {
    let folder = await navigator.storage.getDirectory();
    for (const name of path) folder = await folder.getDirectoryHandle(name);
    return folder;
  } catch (error) {
    if (error instanceof DOMException && (error.name === 'NotFoundError' || error.name === 'TypeMismatchError')) return null;
    throw error;
  }
}

/** The size of a kept segment's file now, or null when it is gone. */
async function sizeOf(segment: KeptSegment): Promise<number | null> {
  const folder = await folderAt(segment.folder);
  if (!folder) return null;
  try {
    return (await (await folder.getFileHandle(segment.name)).getFile()).size;
  } catch {
    return null;
  }
}
