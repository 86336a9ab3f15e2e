import {
  makeCustomPreset,
  makeFormPreset,
  importCustomPresets,
  exportCustomPresets,
  customPresetShape,
  dryRunFailureLine,
  dryRunSteps,
  parseCodecNames,
  parseEncoderList,
  parseFilterList,
  CustomPresetError,
  type CheckOptions,
  type CustomPreset,
} from '../presets/custom-preset';
import type { PresetChoices } from '../presets/form-preset';
import { setCustomPresets, type Preset } from '../presets/presets';
import { DEFAULT_SPEED_AT_COST_1 } from '../report/estimate';
import type { WorkerPool } from '../pool/worker-pool';
import type { CustomPresetStore } from '../storage/custom-preset-store';

/**
 * What the form sends: the fields as typed.
 *
 * @example
 * ```ts
 * await session.customPresets.save({ name: 'Voice', container: 'opus', argsText: '-vn -c:a libopus -b:a 32k' });
 * ```
 */
export interface CustomPresetInput {
  name: string;
  container: string;
  argsText: string;
}

/**
 * What the **New preset** form's choices send: a preset that runs as a spec (the fast route where it can).
 *
 * @example
 * ```ts
 * await session.customPresets.saveChoices({ name: 'Chat 8 MB', choices: { format: 'mp4-h264', maxHeight: 720, maxFps: null, sound: 'auto', quality: 3, fitMB: 8, soundKbps: 96 } });
 * ```
 */
export interface FormPresetInput {
  name: string;
  choices: PresetChoices;
}

/**
 * Runs a preset once on a generated one-second clip; resolves to null when ffmpeg accepted
 * it, or to ffmpeg's own line saying what is wrong. Provided by the worker pool.
 */
export type DryRun = (preset: CustomPreset) => Promise<string | null>;

type Listener = () => void;

/**
 * The checks that need the core, run in a worker of `pool`: the encoder and filter lists
 * (asked once per page; unchecked if the worker cannot say) and the dry run.
 */
export function coreChecks(pool: Pick<WorkerPool, 'coreLists' | 'dryRun'>): { core: () => Promise<CheckOptions>; dryRun: DryRun } {
  let lists: Promise<CheckOptions> | undefined;
  const core = (): Promise<CheckOptions> => {
    lists ??= pool.coreLists().then(
      ({ encoders, filters }) => ({ encoders: parseEncoderList(encoders), codecs: parseCodecNames(encoders), filters: parseFilterList(filters) }),
      () => {
        lists = undefined; // asked again next time
        return {};
      },
    );
    return lists;
  };
  const dryRun: DryRun = async (preset) => {
    try {
      const { exitCode, log } = await pool.dryRun(dryRunSteps(preset));
      return exitCode === 0 ? null : dryRunFailureLine(log, exitCode);
    } catch (error) {
      return `ffmpeg crashed (${error instanceof Error ? error.message : String(error)})`;
    }
  };
  return { core, dryRun };
}

/**
 * The person's own presets: checked, dry-run, saved in IndexedDB, exported and imported.
 * The page lists them beside the built-in presets.
 */
export class CustomPresetLibrary {
  private presets: CustomPreset[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly store: CustomPresetStore,
    private readonly options: {
      dryRun?: DryRun;
      core?: () => Promise<CheckOptions>;
      now?: () => number;
      /** Media seconds per worker second this device measured for a preset, or null (SpeedLearner.learntSpeed). */
      learntSpeed?: (presetId: string) => number | null;
    } = {},
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

  /**
   * Checks and saves a form-built preset (no dry run: its arguments are compiled, not
   * written); `editing` is the id of the preset being changed. Throws CustomPresetError.
   */
  async saveChoices(input: FormPresetInput, editing?: string): Promise<CustomPreset> {
    const previous = editing ? this.get(editing) : undefined;
    const taken = new Set(this.presets.map((p) => p.id));
    const preset = makeFormPreset(input, taken, (this.options.now ?? Date.now)(), previous);
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
    // Dry-run too, all before any is saved: an import adds all of the file or none of it.
    for (const preset of added) {
      if (preset.choices) continue; // compiled, not written: nothing to dry-run
      const failure = await this.options.dryRun?.(preset);
      if (failure) throw new CustomPresetError(`${preset.name}: ffmpeg refused these arguments on a test clip: ${failure}`);
    }
    for (const preset of added) await this.store.put(preset);
    this.presets = [...this.presets, ...added];
    this.emit();
    return added;
  }

  private emit(): void {
    // presetById (jobs, names, the estimate) knows the saved ones from here on.
    setCustomPresets(this.presets.flatMap((p): Preset[] => {
      try {
        // The queue's cost, learnt from its runs: relative to the default speed of a preset of cost 1.
        return [customPresetShape(p, () => {
          const speed = this.options.learntSpeed?.(p.id) ?? null;
          return speed ? DEFAULT_SPEED_AT_COST_1 / speed : null;
        })];
      } catch {
        return [];
      }
    }));
    for (const listener of this.listeners) listener();
  }
}
