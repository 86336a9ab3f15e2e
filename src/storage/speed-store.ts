/**
 * What each preset has shown of this device's speed, kept across reloads for the batch
 * estimate. One small record per preset id, in a database of its own.
 */
import { createStore, entries, update, type UseStore } from 'idb-keyval';
import type { SpeedSample } from '../report/estimate';

export class SpeedStore {
  private readonly store: UseStore;

  constructor(namePrefix = 'ffbatch') {
    this.store = createStore(`${namePrefix}-preset-speeds`, 'speeds');
  }

  /** Every preset's record, by preset id. */
  async all(): Promise<Map<string, SpeedSample>> {
    const found = new Map<string, SpeedSample>();
    for (const [key, value] of await entries<string, unknown>(this.store)) {
      if (typeof key === 'string' && isSample(value)) found.set(key, value);
    }
    return found;
  }

  /** Replaces a preset's record with `next(previous)` in one transaction; returns the new record. */
  async update(presetId: string, next: (previous: SpeedSample | undefined) => SpeedSample | undefined): Promise<SpeedSample | undefined> {
    let result: SpeedSample | undefined;
    await update<SpeedSample | undefined>(
      presetId,
      (previous) => {
        result = next(isSample(previous) ? previous : undefined);
        return result;
      },
      this.store,
    );
    return result;
  }
}

/** Records come back from storage as unknown: a bad one is ignored, not trusted. */
function isSample(value: unknown): value is SpeedSample {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['mediaSeconds'] === 'number' && typeof v['encodeSeconds'] === 'number' && typeof v['runs'] === 'number';
}
