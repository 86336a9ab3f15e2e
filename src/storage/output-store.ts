/**
 * Outputs kept across reloads. The only importer of idb-keyval. Blobs and records live
 * in stores of their own, so listing the outputs never loads their bytes.
 */
import { clear, createStore, del, entries, get, keys, set, type UseStore } from 'idb-keyval';
import { readAll, readOne, readOutputRecord, type OutputRecord, type StoredUpload } from './records';

/**
 * What the stored outputs take, and what the browser says of the origin's storage.
 *
 * @example
 * ```ts
 * const { outputsBytes, quotaBytes } = await batch.usage();
 * ```
 */
export interface StorageUsage {
  /** Bytes of stored outputs. */
  outputsBytes: number;
  /** The browser's estimate for this origin, where it gives one. */
  usedBytes: number | null;
  quotaBytes: number | null;
  persisted: boolean | null;
}

/**
 * IndexedDB refused the write, usually because the origin's quota is full.
 *
 * @example
 * ```ts
 * try { await encoder.files.put('clip.mp4', blob); }
 * catch (error) { if (error instanceof StorageFullError) alert(error.message); }
 * ```
 */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

export class OutputStore {
  private readonly blobs: UseStore;
  private readonly records: UseStore;
  private copyProbe: Promise<boolean> | null = null;

  constructor(namePrefix = 'ffbatch') {
    // idb-keyval opens one object store per database, so each store gets its own database.
    this.blobs = createStore(`${namePrefix}-output-blobs`, 'blobs');
    this.records = createStore(`${namePrefix}-output-records`, 'records');
  }

  /** Stores the bytes, then the record: a record never points at missing bytes. Returns the stored Blob. */
  async put(record: OutputRecord, blob: Blob): Promise<Blob> {
    try {
      await set(record.id, blob, this.blobs);
      await set(record.id, record, this.records);
    } catch (error) {
      await del(record.id, this.blobs).catch(() => {});
      if (error instanceof DOMException && error.name === 'QuotaExceededError') {
        throw new StorageFullError("The browser's storage for this page is full: delete some outputs, then try again.");
      }
      throw error;
    }
    // The Blob read back is backed by IndexedDB (on disk), not by the page's memory.
    return (await get<Blob>(record.id, this.blobs)) ?? blob;
  }

  /** Every record, oldest first. */
  async list(): Promise<OutputRecord[]> {
    const all = await entries<string, unknown>(this.records);
    return readAll(all, readOutputRecord).sort((a, b) => a.endedAt - b.endedAt);
  }

  /**
   * The ids that have bytes stored, read from the keys alone (no Blob is loaded): a reload
   * lists every output at once and marks a record whose bytes are gone.
   */
  async blobIds(): Promise<Set<string>> {
    return new Set((await keys(this.blobs)).map(String));
  }

  async getBlob(id: string): Promise<Blob | undefined> {
    return get<Blob>(id, this.blobs);
  }

  async getRecord(id: string): Promise<OutputRecord | undefined> {
    return readOne(id, await get<unknown>(id, this.records), readOutputRecord);
  }

  async updateUpload(id: string, upload: StoredUpload | undefined): Promise<void> {
    const record = await this.getRecord(id);
    if (!record) return;
    const next: OutputRecord = { ...record };
    if (upload) next.upload = upload;
    else delete next.upload;
    await set(id, next, this.records);
  }

  async delete(id: string): Promise<void> {
    await del(id, this.records);
    await del(id, this.blobs);
  }

  async deleteAll(): Promise<void> {
    await clear(this.records);
    await clear(this.blobs);
  }

  /** The browser's storage estimate alone: cheap at any number of outputs (the budget asks it before every job). */
  async estimate(): Promise<Pick<StorageUsage, 'usedBytes' | 'quotaBytes'>> {
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    return { usedBytes: estimate?.usage ?? null, quotaBytes: estimate?.quota ?? null };
  }

  async usage(): Promise<StorageUsage> {
    const records = await this.list();
    const outputsBytes = records.reduce((sum, r) => sum + r.outputSize, 0);
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    const persisted = await navigator.storage?.persisted?.().catch(() => null);
    return {
      outputsBytes,
      usedBytes: estimate?.usage ?? null,
      quotaBytes: estimate?.quota ?? null,
      persisted: persisted ?? null,
    };
  }

  /**
   * Whether IndexedDB copies a disk-backed File's bytes when it stores it. Chromium with a
   * profile on disk does; off the record it keeps a reference to the file, so the stored
   * Blob dies with the OPFS scratch file it came from. Tried once per page on a 1-byte file.
   * False also tells a private window (see private-window.ts).
   */
  copiesFiles(): Promise<boolean> {
    this.copyProbe ??= this.probeCopies();
    return this.copyProbe;
  }

  private async probeCopies(): Promise<boolean> {
    const probeName = 'ffbatch-store-copy-probe';
    const probeStore = createStore('ffbatch-store-copy-probe', 'probe');
    try {
      const root = await navigator.storage.getDirectory();
      const handle = await root.getFileHandle(probeName, { create: true });
      const writable = await handle.createWritable();
      await writable.write(new Uint8Array([42]));
      await writable.close();
      await set('probe', await handle.getFile(), probeStore);
      await root.removeEntry(probeName);
      const stored = await get<Blob>('probe', probeStore);
      return (await stored?.arrayBuffer())?.byteLength === 1;
    } catch {
      return false;
    } finally {
      await del('probe', probeStore).catch(() => {});
    }
  }

  /** Asks the browser not to evict the outputs under storage pressure. */
  async persist(): Promise<boolean> {
    return (await navigator.storage?.persist?.().catch(() => false)) ?? false;
  }
}
