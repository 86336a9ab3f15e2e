import {
  CONTAINERS,
  containerById,
  describeChoices,
  engineSentence,
  FIT_QUICK_PICKS,
  FORM_FORMATS,
  FORM_FRAME_RATES,
  FORM_SIZES,
  formatHasVideo,
  QUALITY_MARKS,
  specFromChoices,
  type CustomPreset,
  type FormFormat,
  type OutputSpec,
  type PresetChoices,
  type QualityLevel,
  type SessionCustomPresets,
} from '../index';
import { h, saveBlob, setAttr, setText } from './dom';

/** WebCodecs codec strings for asking the browser whether it encodes a size (H.264 High 4.0, VP9 profile 0, AV1 main). */
const CODEC_STRINGS = { h264: 'avc1.640028', vp9: 'vp09.00.40.08', av1: 'av01.0.08M.08' } as const;

/** Whether this browser encodes the spec's video at 1080p at most (null: the spec has none the fast route makes). */
async function browserEncodes(spec: OutputSpec): Promise<boolean | null> {
  const video = typeof spec.video === 'object' ? spec.video : null;
  const codec = video && (video.codec === 'h264' || video.codec === 'vp9' || video.codec === 'av1') ? video.codec : null;
  if (!codec || !video) return null;
  if (typeof VideoEncoder === 'undefined') return false;
  const height = Math.min(video.maxHeight ?? 1080, 1080);
  const width = Math.round((height * 16) / 9 / 2) * 2;
  const answer = await VideoEncoder.isConfigSupported({ codec: CODEC_STRINGS[codec], width, height, bitrate: 2_000_000, framerate: 30 }).catch(() => null);
  return answer?.supported === true;
}

function select(id: string, options: readonly (readonly [string, string])[]): HTMLSelectElement {
  return h('select', { id }, ...options.map(([value, label]) => h('option', { value }, label)));
}

/**
 * A person's own presets: **New preset** opens a form of choices (Format, Size, Frame rate,
 * Sound, Quality or Fit in (MB), Sound kb/s) or, behind **Advanced**, of ffmpeg arguments
 * (Container, ffmpeg arguments); both share Preset name and Save preset. Saved ones are
 * ticks beside the built-in presets (`input[name=preset]`, value `custom-<slug>`), with Edit
 * and Delete, and export/import.
 */
export class CustomPresetsForm {
  readonly element: HTMLElement;
  /** The ticks, for the presets fieldset. */
  readonly ticks = h('div', { class: 'custom-ticks' });
  private readonly form = h('form', { class: 'preset-form', hidden: true, novalidate: true });
  private readonly nameInput = h('input', { type: 'text', id: 'preset-name', required: true, maxlength: 80, autocomplete: 'off' });
  private readonly containerSelect = h('select', { id: 'preset-container' }, ...CONTAINERS.map((c) => h('option', { value: c.id }, c.label)));
  private readonly argsInput = h('input', { type: 'text', id: 'preset-args', required: true, spellcheck: false, autocomplete: 'off', placeholder: '-c:v libx264 -preset veryfast -crf 28 -vf scale=-2:360 -c:a aac -b:a 96k' });
  private readonly alert = h('p', { class: 'form-error', hidden: true });
  private readonly saveButton = h('button', { type: 'submit', class: 'primary' }, 'Save preset');
  private editing: string | undefined;
  /** Choices (the default) or Advanced (ffmpeg arguments). */
  private mode: 'choices' | 'advanced' = 'choices';
  private readonly choicesTab = h('button', { type: 'button', class: 'tab', 'aria-pressed': 'true' }, 'Choices');
  private readonly advancedTab = h('button', { type: 'button', class: 'tab', 'aria-pressed': 'false' }, 'Advanced');
  private readonly formatSelect = select('preset-format', (Object.keys(FORM_FORMATS) as FormFormat[]).map((id) => [id, FORM_FORMATS[id].label] as const));
  private readonly sizeSelect = select('preset-size', [['source', 'As the source'], ...FORM_SIZES.map((n) => [String(n), `At most ${n} lines`] as const)]);
  private readonly fpsSelect = select('preset-fps', [['source', 'As the source'], ...FORM_FRAME_RATES.map((n) => [String(n), `At most ${n} fps`] as const)]);
  private readonly soundSelect = select('preset-sound', [
    ['auto', "Auto: the format's own sound, stereo at most"],
    ['mono', 'Mono'],
    ['none', 'None'],
  ]);
  private readonly qualityInput = h('input', { type: 'range', id: 'preset-quality', min: 1, max: 5, step: 1, value: 3, list: 'quality-marks' });
  private readonly qualityMark = h('output', { for: 'preset-quality', class: 'quality-mark' });
  private readonly fitInput = h('input', { type: 'number', id: 'preset-fit', min: 0.1, step: 'any', inputmode: 'decimal', placeholder: 'quality rules' });
  private readonly soundKbpsInput = h('input', { type: 'number', id: 'preset-sound-kbps', min: 8, max: 512, step: 1, placeholder: 'default' });
  /** Which engine a typical phone clip would take, and why; said as the choices change. */
  private readonly engineLine = h('p', { class: 'hint engine-line', 'aria-live': 'polite', 'data-engine-line': true });
  private readonly choicesPane: HTMLElement;
  private readonly advancedPane: HTMLElement;
  private engineAsked = 0;

  constructor(
    private readonly library: SessionCustomPresets,
    onChange: () => void,
  ) {
    const newButton = h('button', { type: 'button' }, 'New preset');
    newButton.addEventListener('click', () => this.open());
    const cancel = h('button', { type: 'button', class: 'quiet' }, 'Cancel');
    cancel.addEventListener('click', () => this.close());
    const picks = h(
      'span',
      { class: 'fit-picks' },
      ...FIT_QUICK_PICKS.map((mb) => {
        const pick = h('button', { type: 'button', class: 'quiet' }, `${mb} MB`);
        pick.addEventListener('click', () => {
          this.fitInput.value = String(mb);
          this.choicesChanged();
        });
        return pick;
      }),
    );
    this.choicesPane = h(
      'div',
      { class: 'choices-pane' },
      h('label', { for: 'preset-format' }, 'Format'),
      this.formatSelect,
      h('label', { for: 'preset-size' }, 'Size'),
      this.sizeSelect,
      h('label', { for: 'preset-fps' }, 'Frame rate'),
      this.fpsSelect,
      h('label', { for: 'preset-quality' }, 'Quality'),
      this.qualityInput,
      this.qualityMark,
      h('datalist', { id: 'quality-marks' }, ...([1, 2, 3, 4, 5] as const).map((n) => h('option', { value: n, label: QUALITY_MARKS[n] }))),
      h('label', { for: 'preset-fit' }, 'Fit in (MB)'),
      this.fitInput,
      picks,
      h('p', { class: 'hint' }, 'Never more than this many million bytes, and not much less when the clip needs the room; empty: the quality rules.'),
      h('label', { for: 'preset-sound' }, 'Sound'),
      this.soundSelect,
      h('label', { for: 'preset-sound-kbps' }, 'Sound kb/s'),
      this.soundKbpsInput,
      this.engineLine,
    );
    this.advancedPane = h(
      'div',
      { class: 'advanced-pane', hidden: true },
      h('label', { for: 'preset-container' }, 'Container'),
      this.containerSelect,
      h('label', { for: 'preset-args' }, 'ffmpeg arguments'),
      this.argsInput,
      h('p', { class: 'hint' }, 'Written as on a command line, between the input and the output, with quotes as a shell reads them. Advanced presets run on ffmpeg.wasm and are never split across workers.'),
    );
    this.choicesTab.addEventListener('click', () => this.setMode('choices'));
    this.advancedTab.addEventListener('click', () => this.setMode('advanced'));
    this.choicesPane.addEventListener('input', () => this.choicesChanged());
    this.choicesPane.addEventListener('change', () => this.choicesChanged());
    this.form.append(
      h('label', { for: 'preset-name' }, 'Preset name'),
      this.nameInput,
      h('div', { class: 'form-tabs' }, this.choicesTab, this.advancedTab),
      this.choicesPane,
      this.advancedPane,
      this.alert,
      h('div', { class: 'form-actions' }, this.saveButton, cancel),
    );
    this.choicesChanged();
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });

    const exportButton = h('button', { type: 'button', class: 'quiet' }, 'Export presets');
    exportButton.addEventListener('click', () => saveBlob(new Blob([library.exportJson()], { type: 'application/json' }), 'ffbatch-presets.json'));
    const importInput = h('input', { type: 'file', id: 'import-presets', accept: 'application/json,.json', class: 'visually-hidden' });
    importInput.addEventListener('change', () => {
      const file = importInput.files?.[0];
      importInput.value = '';
      if (file) void this.importFile(file);
    });
    this.element = h(
      'div',
      { class: 'custom-presets' },
      h('div', { class: 'custom-bar' }, newButton, exportButton, h('label', { for: 'import-presets', class: 'button quiet' }, 'Import presets'), importInput),
      this.form,
    );
    library.subscribe(() => {
      this.renderTicks();
      onChange();
    });
    this.renderTicks();
  }

  private setMode(mode: 'choices' | 'advanced'): void {
    this.mode = mode;
    this.choicesPane.hidden = mode !== 'choices';
    this.advancedPane.hidden = mode !== 'advanced';
    this.choicesTab.setAttribute('aria-pressed', String(mode === 'choices'));
    this.advancedTab.setAttribute('aria-pressed', String(mode === 'advanced'));
  }

  /** The choices as the form holds them now. */
  private choices(): PresetChoices {
    const numberOr = (input: HTMLInputElement): number | null => (input.value.trim() === '' ? null : Number(input.value));
    const format = this.formatSelect.value as FormFormat;
    return {
      format,
      maxHeight: this.sizeSelect.value === 'source' ? null : Number(this.sizeSelect.value),
      maxFps: this.fpsSelect.value === 'source' ? null : Number(this.fpsSelect.value),
      sound: this.soundSelect.value as PresetChoices['sound'],
      quality: Number(this.qualityInput.value) as QualityLevel,
      fitMB: numberOr(this.fitInput),
      soundKbps: numberOr(this.soundKbpsInput),
    };
  }

  private fillChoices(choices: PresetChoices | undefined): void {
    this.formatSelect.value = choices?.format ?? 'mp4-h264';
    this.sizeSelect.value = choices?.maxHeight ? String(choices.maxHeight) : 'source';
    this.fpsSelect.value = choices?.maxFps ? String(choices.maxFps) : 'source';
    this.soundSelect.value = choices?.sound ?? 'auto';
    this.qualityInput.value = String(choices?.quality ?? 3);
    this.fitInput.value = choices?.fitMB != null ? String(choices.fitMB) : '';
    this.soundKbpsInput.value = choices?.soundKbps != null ? String(choices.soundKbps) : '';
    this.choicesChanged();
  }

  /** The quality's mark, which choices apply to the format, and the engine a typical phone clip would take. */
  private choicesChanged(): void {
    const format = this.formatSelect.value as FormFormat;
    const video = formatHasVideo(format) && format !== 'copy';
    const rated = video && format !== 'gif';
    this.sizeSelect.disabled = !video;
    this.fpsSelect.disabled = !video;
    this.qualityInput.disabled = !rated || this.fitInput.value.trim() !== '';
    this.fitInput.disabled = !rated;
    const level = Number(this.qualityInput.value) as QualityLevel;
    setText(this.qualityMark, `${level}: ${QUALITY_MARKS[level] ?? ''}`);
    this.qualityInput.setAttribute('aria-valuetext', `${level} (${QUALITY_MARKS[level] ?? ''})`);
    this.soundKbpsInput.disabled = format === 'copy' || format === 'gif' || format === 'flac' || format === 'wav';
    let spec: OutputSpec;
    try {
      spec = specFromChoices(this.choices());
    } catch (error) {
      setText(this.engineLine, error instanceof Error ? error.message : String(error));
      return;
    }
    const asked = ++this.engineAsked;
    setText(this.engineLine, engineSentence(spec, null));
    void browserEncodes(spec).then((yes) => {
      if (asked === this.engineAsked && yes !== null) setText(this.engineLine, engineSentence(spec, yes));
    });
  }

  private open(preset?: CustomPreset): void {
    this.editing = preset?.id;
    this.nameInput.value = preset?.name ?? '';
    this.containerSelect.value = preset && !preset.choices ? preset.container : 'mp4';
    this.argsInput.value = preset?.argsText ?? '';
    this.fillChoices(preset?.choices);
    this.setMode(preset && !preset.choices ? 'advanced' : 'choices');
    this.showError(null);
    this.form.hidden = false;
    this.nameInput.focus();
  }

  private close(): void {
    this.form.hidden = true;
    this.editing = undefined;
    this.showError(null);
  }

  private showError(message: string | null): void {
    setAttr(this.alert, 'role', message ? 'alert' : null);
    this.alert.hidden = !message;
    setText(this.alert, message ?? '');
  }

  private async save(): Promise<void> {
    this.saveButton.disabled = true;
    setText(this.saveButton, 'Checking…');
    try {
      if (this.mode === 'choices') {
        const choices = this.choices();
        const spec = specFromChoices(choices);
        // AV1 has no encoder in ffmpeg.wasm: where the browser cannot encode it, the preset could never run.
        if (typeof spec.video === 'object' && spec.video?.codec === 'av1' && (await browserEncodes(spec)) === false) {
          throw new Error('This browser does not encode AV1, and ffmpeg.wasm has no AV1 encoder: pick another format.');
        }
        await this.library.saveChoices({ name: this.nameInput.value, choices }, this.editing);
      } else {
        await this.library.save({ name: this.nameInput.value, container: this.containerSelect.value, argsText: this.argsInput.value }, this.editing);
      }
      this.close();
    } catch (error) {
      this.showError(error instanceof Error ? error.message : String(error));
    } finally {
      this.saveButton.disabled = false;
      setText(this.saveButton, 'Save preset');
    }
  }

  private async importFile(file: File): Promise<void> {
    try {
      await this.library.importJson(await file.text());
      this.showError(null);
    } catch (error) {
      this.form.hidden = false;
      this.showError(`The presets could not be imported: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private renderTicks(): void {
    const checked = new Set([...this.ticks.querySelectorAll<HTMLInputElement>('input[name=preset]:checked')].map((b) => b.value));
    this.ticks.replaceChildren(
      ...this.library.list().map((preset) => {
        const edit = h('button', { type: 'button', class: 'quiet', 'aria-label': `Edit ${preset.name}` }, 'Edit');
        edit.addEventListener('click', (e) => {
          e.preventDefault();
          this.open(preset);
        });
        const remove = h('button', { type: 'button', class: 'quiet', 'aria-label': `Delete ${preset.name}` }, 'Delete');
        remove.addEventListener('click', (e) => {
          e.preventDefault();
          if (confirm(`Delete the preset "${preset.name}"?`)) void this.library.delete(preset.id);
        });
        return h(
          'label',
          { class: 'preset custom' },
          h('input', { type: 'checkbox', name: 'preset', value: preset.id, checked: checked.has(preset.id) }),
          h('span', { class: 'preset-label' }, preset.name),
          h('span', { class: 'preset-summary' }, preset.choices ? describeChoices(preset.choices) : `${containerById(preset.container)?.label ?? preset.container} · ${preset.argsText}`, ' ', edit, remove),
        );
      }),
    );
  }
}
