import type { SessionBatch, SessionCustomPresets } from '../index';
import { CustomPresetsForm } from './custom-presets-form';
import { EditorDialog, editorSubject } from './editor-dialog';
import { h, onceAFrame } from './dom';
import { JobsPanel } from './jobs-panel';
import { PresetsPanel, type SpeedBook } from './presets-panel';
import { ReportPanel } from './report-panel';
import { SourcesPanel } from './sources-panel';
import { UploadPanel, type UploadActions } from './upload-panel';

export type { UploadActions } from './upload-panel';
export type { SpeedBook } from './presets-panel';

/** The whole page: composes the panels and renders them, at most once a frame, when the batch changes. */
export class AppView {
  private readonly sources: SourcesPanel;
  private readonly presets: PresetsPanel;
  private readonly jobs: JobsPanel;
  private readonly report: ReportPanel;
  private readonly scheduleRender = onceAFrame(() => this.render());

  constructor(root: HTMLElement, batch: SessionBatch, uploads: UploadActions, speeds: SpeedBook | null = null, customPresets: SessionCustomPresets | null = null) {
    const onChange = (): void => this.scheduleRender();
    this.sources = new SourcesPanel(batch);
    const editor = new EditorDialog({
      thumbnails: (id, instants, height, signal) => batch.thumbnails(id, instants, height, signal),
      detectBars: (id, signal) => batch.detectBars(id, signal),
      save: (id, edits) => void batch.setEdits(id, edits),
      saveJob: (jobId, edits) => {
        try {
          batch.setJobEdits(jobId, edits);
          return null;
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      },
      applyToAll: (id) => batch.applyEditsToAll(id),
    });
    this.sources.onEdit = (source) => {
      if (source.info) editor.open(editorSubject(source.id, source.displayName, source.info, source.edits ?? {}));
    };
    this.presets = new PresetsPanel(batch, onChange, speeds, customPresets ? new CustomPresetsForm(customPresets, onChange) : null);
    const upload = new UploadPanel(uploads, onChange);
    this.jobs = new JobsPanel(batch, uploads);
    this.jobs.onEdit = (job) => {
      const source = batch.listSources().find((s) => s.id === job.sourceId);
      if (source?.info && job.state === 'queued') editor.open(editorSubject(source.id, job.sourceName, source.info, job.edits ?? {}, { id: job.id, label: `${job.sourceName} → ${job.outputName}` }));
    };
    this.report = new ReportPanel(batch);
    root.replaceChildren(
      h(
        'header',
        { class: 'masthead' },
        h('h1', {}, 'ffbatch'),
        h('p', {}, 'Convert a pile of video and audio files in your browser, on all your cores. Nothing leaves this machine unless you upload it.'),
      ),
      this.sources.element,
      this.presets.element,
      upload.element,
      this.jobs.element,
      this.report.element,
    );
    batch.subscribe(onChange);
    this.render();
  }

  private render(): void {
    this.sources.render();
    this.jobs.render();
    this.presets.render();
    this.report.render();
    this.jobs.refreshStorageSoon();
  }
}
