import { CONTAINERS, containerById, type CustomPreset, type SessionCustomPresets } from '../index';
import { h, saveBlob, setAttr, setText } from './dom';

/**
 * A person's own presets: **New preset** opens a form (Preset name, Container, ffmpeg
 * arguments, Save preset); saved ones are ticks beside the built-in presets
 * (`input[name=preset]`, value `custom-<slug>`), with Edit and Delete, and export/import.
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

  constructor(
    private readonly library: SessionCustomPresets,
    onChange: () => void,
  ) {
    const newButton = h('button', { type: 'button' }, 'New preset');
    newButton.addEventListener('click', () => this.open());
    const cancel = h('button', { type: 'button', class: 'quiet' }, 'Cancel');
    cancel.addEventListener('click', () => this.close());
    this.form.append(
      h('label', { for: 'preset-name' }, 'Preset name'),
      this.nameInput,
      h('label', { for: 'preset-container' }, 'Container'),
      this.containerSelect,
      h('label', { for: 'preset-args' }, 'ffmpeg arguments'),
      this.argsInput,
      h('p', { class: 'hint' }, 'Written as on a command line, between the input and the output, with quotes as a shell reads them. Custom presets run on ffmpeg.wasm and are never split across workers.'),
      this.alert,
      h('div', { class: 'form-actions' }, this.saveButton, cancel),
    );
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

  private open(preset?: CustomPreset): void {
    this.editing = preset?.id;
    this.nameInput.value = preset?.name ?? '';
    this.containerSelect.value = preset?.container ?? 'mp4';
    this.argsInput.value = preset?.argsText ?? '';
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
      await this.library.save({ name: this.nameInput.value, container: this.containerSelect.value, argsText: this.argsInput.value }, this.editing);
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
          h('span', { class: 'preset-summary' }, `${containerById(preset.container)?.label ?? preset.container} · ${preset.argsText}`, ' ', edit, remove),
        );
      }),
    );
  }
}
