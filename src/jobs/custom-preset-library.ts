import { makeCustomPreset, importCustomPresets, exportCustomPresets, CustomPresetError, type CheckOptions, type CustomPreset } from '../presets/custom-preset';
import type { CustomPresetStore } from '../storage/custom-preset-store';

/** What the form sends: the fields as typed. */
export interface CustomPresetInput {
  name: string;
  container: string;
  argsText: string;
}

/**
 * Runs a preset once on a generated one-second clip; resolves to null when ffmpeg accepted
 * it, or to ffmpeg's own line saying what is wrong. Provided by the worker pool.
 */
export type DryRun = (preset: CustomPreset) => Promise<string | null>;

type Listener = () => void;

/**
 * The person's own presets: checked, dry-run, saved in IndexedDB, exported and imported.
 * The page lists them beside the built-in presets.
 */
export class CustomPresetLibrary {
  private presets: CustomPreset[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly store: CustomPresetStore,
    private readonly options: { dryRun?: DryRun; core?: () => Promise<CheckOptions>; now?: () => number } = {},
  ) {}

  async load(): Promise<void> {
    this.presets = await this.store.list();
    this.emit();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): readonly CustomPreset[] {
    return this.presets;
  }

  get(id: string): CustomPreset | undefined {
    return this.presets.find((p) => p.id === id);
  }

  /** Checks, dry-runs and saves; `editing` is the id of the preset being changed. Throws CustomPresetError. */
  async save(input: CustomPresetInput, editing?: string): Promise<CustomPreset> {
    const previous = editing ? this.get(editing) : undefined;
    const taken = new Set(this.presets.map((p) => p.id));
    const core = (await this.options.core?.()) ?? {};
    const preset = makeCustomPreset(input, taken, (this.options.now ?? Date.now)(), previous, core);
    const failure = await this.options.dryRun?.(preset);
    if (failure) throw new CustomPresetError(`ffmpeg refused these arguments on a test clip: ${failure}`);
    await this.store.put(preset, previous?.id);
    this.presets = [...this.presets.filter((p) => p.id !== preset.id && p.id !== previous?.id), preset].sort((a, b) => a.createdAt - b.createdAt);
    this.emit();
    return preset;
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(id);
    this.presets = this.presets.filter((p) => p.id !== id);
    this.emit();
  }

  exportJson(): string {
    return exportCustomPresets(this.presets);
  }

  /** Adds every preset of an export file (new ids where names collide). Throws TypeError or CustomPresetError. */
  async importJson(json: string): Promise<CustomPreset[]> {
    const core = (await this.options.core?.()) ?? {};
    const added = importCustomPresets(json, new Set(this.presets.map((p) => p.id)), (this.options.now ?? Date.now)(), core);
    for (const preset of added) await this.store.put(preset);
    this.presets = [...this.presets, ...added];
    this.emit();
    return added;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
