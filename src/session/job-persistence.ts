/**
 * Jobs kept across reloads (issue 11), for one batch: each queued or running job's record in
 * the JobStore, written when its state changes and removed when it ends; at start, the kept
 * records read back as interrupted jobs, with which open tab owns each; the kept file handles
 * a Resume reads again. The batch decides what to do with them; this file owns the records.
 */
import type { JobStore } from '../storage/job-store';
import type { JobRecord } from '../storage/records';
import type { SegmentKeeper } from '../storage/segment-keeper';
import type { TabPresence } from '../storage/tab-presence';
import type { Job, JobState } from '../jobs/job';
import { keyOf } from '../jobs/resume-match';
import type { Source } from '../jobs/source';

/** This tab among the open ones: jobs another open tab runs are left to it. */
export type Presence = Pick<TabPresence, 'id' | 'openTabs' | 'isThisTab'>;

/** A file read again through a kept handle, for Resume. */
export interface HandleFile {
  file: File;
  displayName: string;
  handle: FileSystemFileHandle;
}

export class JobPersistence {
  /** Records of the interrupted jobs (from before the last reload), by job id. */
  private readonly interrupted = new Map<string, JobRecord>();
  /** The state each job's record was last written for, so progress ticks write nothing. */
  private readonly persistedStates = new Map<string, JobState>();
  /** Job-store writes, one after another (a delete never overtakes the put before it). */
  private writes: Promise<void> = Promise.resolve();
  /** Kept jobs that another open tab was running when this page started. */
  private elsewhere = 0;

  constructor(
    private readonly store: JobStore | null,
    private readonly presence: Presence | null,
    /** Used only with a job store. */
    private readonly segmentKeeper: SegmentKeeper | null,
  ) {}

  /** Writes a job's record when its state changes: kept while queued or running, removed when it ends. */
  persist(job: Job, source: Source | undefined, rewrite = false): void {
    if (!this.store) return;
    const last = this.persistedStates.get(job.id);
    // `rewrite`: the job's state is the same but what it asks changed (its edits).
    if (last === job.state && !rewrite) return;
    this.persistedStates.set(job.id, job.state);
    // An interrupted job's record stays as it was until the job is requeued or deleted.
    if (job.state === 'interrupted') return;
    if (job.state === 'queued' || job.state === 'running') {
      if (!source) return;
      const handle = source.handle ?? this.interrupted.get(job.id)?.handle;
      const record: JobRecord = {
        id: job.id,
        source: { ...keyOf(source.file), displayName: source.displayName },
        presetId: job.presetId,
        outputName: job.outputName,
        queuedAt: job.queuedAt,
        state: job.state,
        ...(job.edits ? { edits: job.edits } : {}),
        ...(handle ? { handle } : {}),
        ...(this.presence ? { tab: this.presence.id } : {}),
      };
      this.write((store) => store.put(record));
    } else if (last !== undefined) {
      this.interrupted.delete(job.id);
      this.write((store) => store.delete(job.id));
    }
  }

  /**
   * Reads the kept records of jobs that were queued or running when a page went away and
   * resolves to those this tab takes over, in their order. Another open tab's jobs are left
   * to it (counted for `otherTabNote`); one `isListed` already (its output was stored just
   * before the page went) is done, and its record goes. `hasOutput`: a stored output's id.
   */
  async restore(isListed: (id: string) => boolean, hasOutput: (id: string) => boolean): Promise<JobRecord[]> {
    const records = (await this.store?.list().catch(() => null)) ?? null;
    const presence = this.presence;
    const openTabs = (await presence?.openTabs().catch(() => null)) ?? null;
    const taken: JobRecord[] = [];
    for (const record of records ?? []) {
      // Another open tab's job (running, queued or interrupted there): left to it, or Resume could encode it twice.
      if (record.tab && presence && !presence.isThisTab(record.tab) && openTabs?.has(record.tab)) {
        this.elsewhere++;
        continue;
      }
      if (isListed(record.id)) {
        this.write((store) => store.delete(record.id));
        continue;
      }
      // This tab takes the job over: one tab at a time lists it and may resume it.
      const owned: JobRecord = presence && record.tab !== presence.id ? { ...record, tab: presence.id } : record;
      if (owned !== record) this.write((store) => store.put(owned));
      this.interrupted.set(record.id, owned);
      taken.push(owned);
    }
    // Kept segments of jobs that ended or were deleted while no page could clean up; only when
    // the records could be read (else every kept segment would look orphaned).
    const keeper = this.store ? this.segmentKeeper : null;
    if (keeper && records) {
      const live = new Set([...this.interrupted.keys(), ...records.filter((r) => !hasOutput(r.id)).map((r) => r.id)]);
      this.write(() => keeper.removeOrphans(live).then(() => {}));
    }
    return taken;
  }

  /** When this page opened, unfinished jobs that belong to another open ffbatch tab: said in a sentence, or null. */
  get otherTabNote(): string | null {
    if (this.elsewhere === 0) return null;
    const one = this.elsewhere === 1;
    const jobs = one ? '1 unfinished job belonged' : `${this.elsewhere} unfinished jobs belonged`;
    return `When this page opened, ${jobs} to another open ffbatch tab; ${one ? 'it is' : 'they are'} left to that tab, and ${one ? 'its output shows' : 'their outputs show'} here after a reload.`;
  }

  /** The kept records of the jobs `stillInterrupted` says have not been resumed yet. */
  waiting(stillInterrupted: (id: string) => boolean): JobRecord[] {
    return [...this.interrupted.values()].filter((r) => stillInterrupted(r.id));
  }

  /** The file handle kept with an interrupted job, if any. */
  handleOf(jobId: string): FileSystemFileHandle | undefined {
    return this.interrupted.get(jobId)?.handle;
  }

  /**
   * Reads the files of `records` again through their kept handles (asking for read
   * permission where needed), each file once; a file that is gone or refused is left out.
   */
  async filesFromHandles(records: readonly JobRecord[]): Promise<HandleFile[]> {
    const files: HandleFile[] = [];
    const tried = new Set<string>();
    for (const record of records) {
      const handle: PermissionedHandle | undefined = record.handle;
      const key = JSON.stringify(Object.values(keyOf(record.source)));
      if (!handle || tried.has(key)) continue;
      tried.add(key);
      try {
        const options = { mode: 'read' as const };
        let permission = (await handle.queryPermission?.(options)) ?? 'granted';
        if (permission !== 'granted') permission = (await handle.requestPermission?.(options)) ?? 'denied';
        if (permission !== 'granted') continue;
        files.push({ file: await handle.getFile(), displayName: record.source.displayName, handle });
      } catch {
        // The file is gone or moved: it must be added again.
      }
    }
    return files;
  }

  /** An interrupted job deleted by the person: its record and kept segments go (it never stored an output). */
  forget(jobId: string): void {
    this.interrupted.delete(jobId);
    this.persistedStates.delete(jobId);
    this.write((store) => store.delete(jobId));
    const keeper = this.segmentKeeper;
    if (keeper) this.write(() => keeper.remove(jobId));
  }

  private write(write: (store: JobStore) => Promise<void>): void {
    const store = this.store;
    if (!store) return;
    this.writes = this.writes.then(() => write(store)).catch((error: unknown) => console.warn('ffbatch: could not keep a job for after a reload', error));
  }
}

/** The File System Access permission calls (Chromium), not yet in TypeScript's DOM types. */
type PermissionedHandle = FileSystemFileHandle & {
  queryPermission?: (options: { mode: 'read' }) => Promise<PermissionState>;
  requestPermission?: (options: { mode: 'read' }) => Promise<PermissionState>;
};
