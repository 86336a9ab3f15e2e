/**
 * Jobs not yet finished, kept across reloads so that a reload, a crash or a closed tab
 * does not lose the batch (issue 11). One record per queued or running job, written when
 * it is made and when it starts, removed when it ends. Finished outputs have records of
 * their own in OutputStore; this store never touches them.
 */
import { clear, createStore, del, entries, get, keys, set, type UseStore } from 'idb-keyval';
import { readAll, readJobRecord, readKeptSegments, readOne, type JobRecord, type KeptSegments } from './records';

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
    return readOne(id, await get<unknown>(id, this.segmentStore), readKeptSegments) ?? null;
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
    const all = await entries<string, unknown>(this.store);
    return readAll(all, readJobRecord).sort((a, b) => a.queuedAt - b.queuedAt);
  }

  async clear(): Promise<void> {
    await clear(this.store);
    await clear(this.segmentStore);
  }
}
