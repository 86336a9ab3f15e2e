/**
 * The batch's catalogue of stored outputs: each done job's record and an object URL of its
 * bytes for the page's download link, the zip of them all, and their deletion. The bytes
 * live in the OutputStore (IndexedDB); this is the page's view of them, kept in step.
 */
import type { ScratchSpace } from '../storage/scratch-space';
import type { OutputStore, StorageUsage } from '../storage/output-store';
import type { OutputRecord } from '../storage/records';
import type { Job } from '../jobs/job';
import { uniqueNames } from '../jobs/output-names';

export class OutputCatalogue {
  private readonly records = new Map<string, OutputRecord>();
  private readonly urls = new Map<string, string>();

  constructor(
    private readonly store: OutputStore,
    /** Where a zip is streamed to disk; null: it is made in memory. */
    private readonly scratch: Pick<ScratchSpace, 'saveStream'> | null,
  ) {}

  has(jobId: string): boolean {
    return this.records.has(jobId);
  }

  record(jobId: string): OutputRecord | undefined {
    return this.records.get(jobId);
  }

  url(jobId: string): string | undefined {
    return this.urls.get(jobId);
  }

  /** An output stored in this session, with the Blob read back from storage. */
  stored(record: OutputRecord, blob: Blob): void {
    // Asked with the first output, when the person has something worth keeping.
    if (this.records.size === 0) void this.store.persist();
    this.add(record, blob);
  }

  /**
   * Lists every stored output again after a reload: only the records and the keys of the
   * stored Blobs are read (issue 15: 384 Blobs read one by one took 11 s); a Blob is read when
   * it is downloaded (`link`), zipped or uploaded. `present` is false for a record whose bytes are gone.
   */
  async restore(): Promise<{ record: OutputRecord; present: boolean }[]> {
    const [records, stored] = await Promise.all([this.store.list(), this.store.blobIds()]);
    for (const record of records) this.records.set(record.id, record);
    return records.map((record) => ({ record, present: stored.has(record.id) }));
  }

  /**
   * The output's object URL, reading its Blob from storage on first use; undefined when it is
   * not a stored output or its bytes are gone.
   */
  async link(jobId: string): Promise<string | undefined> {
    const known = this.urls.get(jobId);
    if (known || !this.records.has(jobId)) return known;
    const blob = await this.store.getBlob(jobId);
    // Another call may have read it meanwhile: one URL per output.
    const raced = this.urls.get(jobId);
    if (raced || !blob) return raced;
    const url = URL.createObjectURL(blob);
    this.urls.set(jobId, url);
    return url;
  }

  /** Deletes an output: its bytes and record from storage, its URL from the page. */
  async delete(jobId: string): Promise<void> {
    await this.store.delete(jobId);
    const url = this.urls.get(jobId);
    if (url) URL.revokeObjectURL(url);
    this.urls.delete(jobId);
    this.records.delete(jobId);
  }

  /** Empties the store (outputs no job lists included). */
  async deleteAll(): Promise<void> {
    await this.store.deleteAll();
  }

  /** One zip of the outputs of `jobs` that are stored (stored, not recompressed: media does not deflate). */
  async zip(jobs: readonly Job[]): Promise<Blob> {
    const done = jobs.filter((job) => job.state === 'done' && this.records.has(job.id));
    const names = uniqueNames(done.map((job) => job.outputName));
    const entries = await Promise.all(
      done.map(async (job, i) => {
        const blob = await this.store.getBlob(job.id);
        return blob ? { name: names[i] ?? job.outputName, input: blob, lastModified: new Date(job.endedAt ?? Date.now()) } : null;
      }),
    );
    // The zip writer is loaded on the first Download all, not with the page.
    const { downloadZip } = await import('client-zip');
    const zip = downloadZip(entries.filter((e) => e !== null));
    // Streamed to a file on disk where there is OPFS: the page never holds the outputs.
    if (this.scratch && zip.body) return this.scratch.saveStream('outputs.zip', zip.body);
    return zip.blob();
  }

  usage(): Promise<StorageUsage> {
    return this.store.usage();
  }

  private add(record: OutputRecord, blob: Blob): void {
    const old = this.urls.get(record.id);
    if (old) URL.revokeObjectURL(old);
    this.records.set(record.id, record);
    this.urls.set(record.id, URL.createObjectURL(blob));
  }
}
