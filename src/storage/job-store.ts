/**
 * Jobs not yet finished, kept across reloads so that a reload, a crash or a closed tab
 * does not lose the batch (issue 11). One record per queued or running job, written when
 * it is made and when it starts, removed when it ends. Finished outputs have records of
 * their own in OutputStore; this store never touches them.
 */
import { clear, createStore, del, entries, get, keys, set, type UseStore } from 'idb-keyval';
import type { PresetId } from '../presets/presets';
import type { KeptSegments } from '../jobs/segment-reuse';

/** The file a job was made from, as far as it can be told apart from another. */
export interface SourceKey {
  name: string;
  size: number;
  lastModified: number;
}

export interface JobRecord {
  /** The job's id (the id its output will be stored under). */
  id: string;
  source: SourceKey & {
    /** Path inside a dropped folder, or the file's name. */
    displayName: string;
  };
  presetId: PresetId;
  outputName: string;
  queuedAt: number;
  state: 'queued' | 'running';
  /** Chromium: the file's handle, where the picker or the drop gave one (structured-cloned by IndexedDB). */
  handle?: FileSystemFileHandle;
  /** The tab that runs the job (its TabPresence id): while that tab is open, other tabs leave the job to it. */
  tab?: string;
}

export class JobStore {
  private readonly store: UseStore;
  /** A split job's finished segments (kept on disk for a resume), by job id; a database of its own, so rewriting a job's record never loses them. */
  private readonly segmentStore: UseStore;

  constructor(namePrefix = 'ffbatch') {
    this.store = createStore(`${namePrefix}-jobs`, 'jobs');
    this.segmentStore = createStore(`${namePrefix}-job-segments`, 'segments');
  }

  async put(record: JobRecord): Promise<void> {
    try {
      await set(record.id, record, this.store);
    } catch (error) {
      // A handle that cannot be cloned (some browsers) must not cost the job its record.
      if (!record.handle) throw error;
      const withoutHandle = { ...record };
      delete withoutHandle.handle;
      await set(record.id, withoutHandle, this.store);
    }
  }

  /** Removes a job's record and its kept-segment record. */
  async delete(id: string): Promise<void> {
    await del(id, this.store);
    await del(id, this.segmentStore);
  }

  async getSegments(id: string): Promise<KeptSegments | null> {
    return (await get<KeptSegments>(id, this.segmentStore)) ?? null;
  }

  async putSegments(id: string, segments: KeptSegments): Promise<void> {
    await set(id, segments, this.segmentStore);
  }

  async deleteSegments(id: string): Promise<void> {
    await del(id, this.segmentStore);
  }

  /** Ids of the jobs that have a kept-segment record. */
  async segmentJobIds(): Promise<string[]> {
    return (await keys<string>(this.segmentStore)).map(String);
  }

  /** Every record, in the order the jobs were made. */
  async list(): Promise<JobRecord[]> {
    const all = await entries<string, JobRecord>(this.store);
    return all.map(([, record]) => record).sort((a, b) => a.queuedAt - b.queuedAt);
  }

  async clear(): Promise<void> {
    await clear(this.store);
    await clear(this.segmentStore);
  }
}
