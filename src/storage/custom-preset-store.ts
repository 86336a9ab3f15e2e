/**
 * A person's own presets, kept across reloads: one record per preset id (`custom-<slug>`),
 * in a database of its own.
 */
import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { CustomPreset } from '../presets/custom-preset';
import { checkPresetChoices } from '../presets/form-preset';
import { passes } from './records';

export class CustomPresetStore {
  private readonly store: UseStore;

  constructor(namePrefix = 'ffbatch') {
    this.store = createStore(`${namePrefix}-custom-presets`, 'presets');
  }

  /** Every saved preset, oldest first. Records that are not presets are skipped. */
  async list(): Promise<CustomPreset[]> {
    const found: CustomPreset[] = [];
    for (const [, value] of await entries<string, unknown>(this.store)) if (isCustomPreset(value)) found.push(value);
    return found.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Saves a preset; when it was renamed (a new id), `replacing` is removed in the same call. */
  async put(preset: CustomPreset, replacing?: string): Promise<void> {
    await set(preset.id, preset, this.store);
    if (replacing && replacing !== preset.id) await del(replacing, this.store);
  }

  async delete(id: string): Promise<void> {
    await del(id, this.store);
  }
}

function isCustomPreset(value: unknown): value is CustomPreset {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['id'] === 'string' &&
    v['id'].startsWith('custom-') &&
    typeof v['name'] === 'string' &&
    typeof v['container'] === 'string' &&
    typeof v['argsText'] === 'string' &&
    Array.isArray(v['args']) &&
    v['args'].every((a) => typeof a === 'string') &&
    typeof v['createdAt'] === 'number' &&
    typeof v['updatedAt'] === 'number' &&
    // A form-built preset's choices are checked again as they are read (a record from an older page may not hold).
    (v['choices'] === undefined || passes(checkPresetChoices, v['choices']))
  );
}

