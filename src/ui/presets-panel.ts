import { canEncodeAv1, COPIES_WHILE_STORING, estimateBatch, isPresetId, PRESETS, presetById, PresetMismatchError, type EstimateItem, type PresetId, privateWindowSentence, type BatchJob as SessionJob, type SessionBatch, type SourceInfo, worthWarning } from '../index';
import type { CustomPresetsForm } from './custom-presets-form';
import { h, setText } from './dom';
import { formatBytes, formatClock } from '../shared/format';

/** This device's speed per preset (learnt from its past jobs, or a stated default). */
export interface SpeedBook {
  speedOf(presetId: string): { speed: number; learnt: boolean };
}

/** "2. Presets": the preset ticks, Workers and Encode. */
export class PresetsPanel {
  readonly element: HTMLElement;
  private readonly fieldset: HTMLFieldSetElement;
  private readonly encodeButton = h('button', { type: 'button', class: 'primary' }, 'Encode');
  private readonly encodeHint = h('span', { class: 'hint' });
  private readonly estimate = h('span', { class: 'hint estimate', 'data-estimate-seconds': null });
  private readonly workersInput = h('input', { type: 'number', id: 'workers', min: 1, max: 16, step: 1 });
  /** Engine: Auto (WebCodecs where it can, else ffmpeg.wasm) or ffmpeg.wasm only. */
  // Named "Engine" exactly (the stable hook): a select inside its label would otherwise take its options' text into its name.
  private readonly engineSelect = h('select', { id: 'engine', 'aria-label': 'Engine' }, h('option', { value: 'auto' }, 'Auto'), h('option', { value: 'ffmpeg' }, 'ffmpeg.wasm only'));
  /** Whether the new outputs fit in the browser's storage; where outputs go. */
  private readonly storageFit = h('p', { class: 'hint storage-fit' });
  private storageFitAsked = 0;
  private estimatesKey = '';

  /** `onChange` is called when the ticks change (the hint and other panels depend on them). */
  constructor(
    private readonly batch: SessionBatch,
    onChange: () => void,
    private readonly speeds: SpeedBook | null = null,
    custom: CustomPresetsForm | null = null,
  ) {
    const box = (preset: (typeof PRESETS)[number]): HTMLElement =>
      h(
        'label',
        { class: 'preset' },
        h('input', { type: 'checkbox', name: 'preset', value: preset.id }),
        h('span', { class: 'preset-label' }, preset.label),
        h('span', { class: 'preset-summary' }, preset.summary),
      );
    // Grouped so that what people come for leads, and the Flash-era two wait at the end.
    const group = (title: string, which: string): HTMLElement =>
      h('div', { class: 'preset-group', role: 'group', 'aria-label': title }, h('h3', {}, title), ...PRESETS.filter((p) => p.group === which).map(box));
    this.fieldset = h(
      'fieldset',
      { class: 'presets' },
      h('legend', {}, 'Output presets'),
      group('Video', 'video'),
      group('Audio', 'audio'),
      group('The 2010 recipe', 'recipe'),
      custom ? h('div', { class: 'preset-group', role: 'group', 'aria-label': 'Yours' }, h('h3', {}, 'Yours'), custom.ticks) : null,
    );
    // AV1 only where this browser encodes it (ffmpeg.wasm has no AV1 encoder): not offered, rather than failing later.
    const av1 = this.fieldset.querySelector<HTMLElement>('input[value="webm-av1-720p"]')?.closest('label');
    if (av1) {
      av1.hidden = true;
      void canEncodeAv1().then((yes) => {
        av1.hidden = !yes;
      });
    }
    this.fieldset.addEventListener('change', onChange);

    this.workersInput.value = String(batch.workers);
    this.workersInput.addEventListener('change', () => {
      const n = Number(this.workersInput.value);
      if (Number.isFinite(n) && n >= 1) batch.setWorkers(n);
      this.workersInput.value = String(batch.workers);
    });
    this.engineSelect.value = batch.engineMode;
    this.engineSelect.addEventListener('change', () => batch.setEngineMode(this.engineSelect.value === 'ffmpeg' ? 'ffmpeg' : 'auto'));
    this.encodeButton.addEventListener('click', () => batch.encode(this.tickedPresets()));

    this.element = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'presets-title' },
      h('h2', { id: 'presets-title' }, '2. Presets'),
      this.fieldset,
      custom?.element,
      h('div', { class: 'run-bar' }, h('label', { for: 'workers', class: 'workers' }, 'Workers', this.workersInput),
        h('label', { for: 'engine', class: 'engine' }, 'Engine', this.engineSelect),
        this.encodeButton, this.encodeHint, this.estimate),
      this.storageFit,
    );
  }

  /** The ticked presets, built-in and the person's own (`custom-…`, once saved). */
  tickedPresets(): PresetId[] {
    return [...this.fieldset.querySelectorAll<HTMLInputElement>('input[name=preset]:checked')].map((box) => box.value).filter(isPresetId);
  }

  /** How many of the jobs Encode would start take the place of a failed or canceled one. */
  private retriedCount(ticked: readonly PresetId[]): number {
    const sources = new Set(this.batch.listSources().map((source) => source.id));
    const presets = new Set<string>(ticked);
    const standing = new Set<string>();
    const stopped = new Set<string>();
    for (const job of this.batch.listJobs()) {
      if (!sources.has(job.sourceId) || !presets.has(job.presetId)) continue;
      const key = `${job.sourceId}\u0000${job.presetId}`;
      (job.state === 'failed' || job.state === 'canceled' ? stopped : standing).add(key);
    }
    let count = 0;
    for (const key of stopped) if (!standing.has(key)) count++;
    return count;
  }

  render(): void {
    const sources = this.batch.listSources();
    const ticked = this.tickedPresets();
    const fresh = this.batch.newJobCount(ticked);
    this.encodeButton.disabled = fresh === 0;
    setText(
      this.encodeHint,
      sources.length === 0
        ? 'Add files first.'
        : ticked.length === 0
          ? 'Tick at least one preset.'
          : fresh === 0
            ? 'Every ticked preset is already done or under way for these files.'
            : jobsToStart(fresh, this.retriedCount(ticked)),
    );
    // The estimates depend on these alone: not redone on every progress tick of a long batch (issue 15).
    const probed = sources.reduce((n, source) => n + (source.probing ? 0 : 1), 0);
    const key = [ticked.join(','), fresh, sources.length, probed, this.batch.workers, this.batch.outputsOnDisk].join('|');
    if (key === this.estimatesKey) return;
    this.estimatesKey = key;
    this.renderEstimate(fresh > 0 ? ticked : []);
    void this.renderStorageFit(fresh > 0 ? ticked : []);
  }

  /** Before Encode: about how much the new outputs take, against what the browser has free. */
  private async renderStorageFit(ticked: readonly PresetId[]): Promise<void> {
    const asked = ++this.storageFitAsked;
    const { bytes, freeBytes, inMemoryBytes } = await this.batch.estimateOutputs(ticked);
    if (asked !== this.storageFitAsked) return; // a newer render answered first
    const needed = bytes * COPIES_WHILE_STORING;
    // A private window keeps outputs in memory (issue 15): said before a big job starts.
    const privateWindow = inMemoryBytes !== null && (worthWarning(needed, inMemoryBytes) || (freeBytes !== null && needed > freeBytes)) ? ` ${privateWindowSentence(inMemoryBytes)}` : '';
    const inMemory =
      privateWindow || (this.batch.outputsOnDisk === false ? ' This browser cannot write outputs to disk, so each one is held in memory and must stay under 2 GB.' : '');
    this.storageFit.toggleAttribute('data-private-window', privateWindow !== '');
    const tight = freeBytes !== null && needed > freeBytes;
    this.storageFit.classList.toggle('warning', tight);
    this.storageFit.hidden = bytes === 0 && !inMemory;
    const free = freeBytes === null ? '' : `; ${formatBytes(freeBytes)} free in this browser's storage`;
    const fit = tight ? ' Not all of them fit: a job that cannot fit fails alone, one that fits after others waits for them.' : '';
    setText(this.storageFit, bytes > 0 ? `Outputs: about ${formatBytes(bytes)}${free}.${fit}${inMemory}` : inMemory.trim());
  }

  /** Before Encode: the new jobs' wall time on this many workers, from probed durations and learnt speeds. */
  private renderEstimate(ticked: readonly PresetId[]): void {
    const twins = new Map<string, SessionJob>();
    for (const job of this.batch.listJobs()) if (!twins.has(`${job.sourceId}\n${job.presetId}`)) twins.set(`${job.sourceId}\n${job.presetId}`, job);
    const items: EstimateItem[] = [];
    let guessed = false;
    let unknown = false;
    for (const source of this.batch.listSources()) {
      if (source.problem) continue;
      for (const presetId of ticked) {
        const twin = twins.get(`${source.id}\n${presetId}`);
        if (twin && (twin.state === 'queued' || twin.state === 'running' || twin.state === 'done')) continue;
        const duration = source.info?.durationSec;
        if (!source.info || !duration || !this.speeds) {
          unknown = true;
          continue;
        }
        if (!canMake(source.info, presetId)) continue;
        const { speed, learnt } = this.speeds.speedOf(presetId);
        guessed ||= !learnt;
        items.push({ mediaSeconds: duration, speed });
      }
    }
    const show = items.length > 0 && !unknown;
    const { wallSeconds } = estimateBatch(items, this.batch.workers);
    this.estimate.hidden = !show;
    this.estimate.dataset['estimateSeconds'] = show ? wallSeconds.toFixed(1) : '';
    setText(
      this.estimate,
      show ? `· about ${formatClock(Math.max(1, wallSeconds))} on ${this.batch.workers} worker${this.batch.workers === 1 ? '' : 's'}${guessed ? ' (a first guess until this device has run these presets)' : ''}` : '',
    );
  }
}

/** False when the preset refuses this source (e.g. no audio for an MP3): that job fails at once and costs nothing. */
function canMake(info: SourceInfo, presetId: PresetId): boolean {
  try {
    presetById(presetId).args(info, { input: 'in', output: 'out' });
    return true;
  } catch (error) {
    return !(error instanceof PresetMismatchError);
  }
}

/** The Encode hint: "3 new jobs", "2 failed jobs to try again", "1 new job, 2 to try again". */
export function jobsToStart(total: number, retried: number): string {
  const fresh = total - retried;
  const plural = (n: number): string => (n === 1 ? '' : 's');
  if (retried === 0) return `${fresh} new job${plural(fresh)}`;
  if (fresh === 0) return `${retried} failed or canceled job${plural(retried)} to try again`;
  return `${fresh} new job${plural(fresh)}, ${retried} to try again`;
}
