import { editableFacts, editProblems, summarizeEdits, type AddedFile, type BatchSource as Source, type SessionBatch } from '../index';
import { BatchedRows } from './batched-rows';
import { h } from './dom';
import { filesFromDrop, filesFromFolderInput, pickWithHandles } from './file-drop';
import { isAbortError } from '../shared/abort';
import { formatBytes, formatClock } from '../shared/format';

/** "1. Sources": the picker, the drop zone (the whole page) and the list of added files. */
export class SourcesPanel {
  readonly element: HTMLElement;
  private readonly list = h('ul', { class: 'sources', 'aria-label': 'Sources' });
  private readonly empty = h('p', { class: 'empty' }, 'No files yet. Drop video or audio files, or whole folders, anywhere on this page.');
  private readonly rows = new BatchedRows<Source, HTMLLIElement>({
    list: this.list,
    build: (source) => h('li', { class: 'source', 'data-source-id': source.id }),
    root: (item) => item,
    render: () => this.render(),
  });

  /** Told when a source's Edit is pressed (the page opens the editor). */
  onEdit: ((source: Source) => void) | null = null;

  constructor(private readonly batch: SessionBatch) {
    const fileInput = h('input', { type: 'file', id: 'add-files', multiple: true, class: 'visually-hidden' });
    fileInput.addEventListener('change', () => {
      if (fileInput.files) this.add([...fileInput.files].map((file) => ({ file })));
      fileInput.value = '';
    });
    const folderInput = h('input', { type: 'file', id: 'add-folder', webkitdirectory: true, class: 'visually-hidden' });
    folderInput.addEventListener('change', () => {
      if (folderInput.files) this.add(filesFromFolderInput(folderInput.files));
      folderInput.value = '';
    });

    const addLabel = h('label', { for: 'add-files', class: 'button' }, 'Add files');
    // Chromium: the picker that keeps file handles, so interrupted jobs can resume without adding the files again.
    const pick = pickWithHandles();
    if (pick) {
      addLabel.addEventListener('click', (event) => {
        event.preventDefault();
        pick().then(
          (files) => this.add(files),
          (error: unknown) => {
            if (!isAbortError(error)) fileInput.click();
          },
        );
      });
    }
    const dropZone = h(
      'div',
      { class: 'drop-zone' },
      h('p', {}, h('strong', {}, 'Drop files or folders here'), ' or '),
      addLabel,
      ' ',
      h('label', { for: 'add-folder', class: 'button' }, 'Add a folder'),
      fileInput,
      folderInput,
    );
    this.listenForDrops(dropZone);
    this.element = h('section', { class: 'panel', 'aria-labelledby': 'sources-title' }, h('h2', { id: 'sources-title' }, '1. Sources'), dropZone, this.empty, this.list);
  }

  render(): void {
    const sources = this.batch.listSources();
    this.empty.hidden = sources.length > 0;
    // New rows are built a frame's worth at a time (a dropped folder of 1,000 files, issue 15).
    this.rows.update(sources, (item, source) => this.fill(item, source));
  }

  private listenForDrops(zone: HTMLElement): void {
    let depth = 0;
    document.addEventListener('dragenter', (e) => {
      e.preventDefault();
      depth++;
      zone.classList.add('dragging');
    });
    document.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.classList.remove('dragging');
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      zone.classList.remove('dragging');
      if (e.dataTransfer) void filesFromDrop(e.dataTransfer).then((files) => this.add(files));
    });
  }

  private add(files: AddedFile[]): void {
    if (files.length > 0) this.batch.addFiles(files);
  }

  private fill(item: HTMLLIElement, source: Source): void {
    const summary = source.edits ? summarizeEdits(source.edits) : '';
    const misfit = source.edits && source.info ? editProblems(source.edits, editableFacts(source.info)).join(' ') : '';
    const key = `${source.probing}|${source.problem}|${source.info ? 1 : 0}|${summary}|${misfit}`;
    if (item.dataset['key'] === key) return;
    item.dataset['key'] = key;
    item.dataset['sourceName'] = source.file.name;
    if (summary) item.dataset['edits'] = summary;
    else delete item.dataset['edits'];
    const facts: string[] = [formatBytes(source.file.size)];
    const info = source.info;
    if (info) {
      facts.push(formatClock(info.durationSec));
      if (info.video) facts.push(`${info.video.displayWidth}×${info.video.displayHeight}`, `${info.video.codec}${info.video.fps ? ` ${Math.round(info.video.fps * 100) / 100} fps` : ''}`);
      if (info.audio) facts.push(`${info.audio.codec} ${info.audio.channels === 1 ? 'mono' : info.audio.channels === 2 ? 'stereo' : `${info.audio.channels} ch`}`);
      if (!info.audio) facts.push('no audio');
    }
    const remove = h('button', { type: 'button', class: 'quiet', 'aria-label': `Remove ${source.displayName}` }, 'Remove');
    remove.addEventListener('click', () => this.batch.removeSource(source.id));
    // Edits need the probe (duration, picture, tracks); a file that cannot be read has none to make.
    const edit = h('button', { type: 'button', class: 'quiet', 'aria-label': `Edit ${source.displayName}`, disabled: !source.info || source.problem !== null }, 'Edit');
    edit.addEventListener('click', () => this.onEdit?.(source));
    item.classList.toggle('has-problem', source.problem !== null);
    item.replaceChildren(
      h('span', { class: 'source-name' }, source.displayName),
      h('span', { class: 'source-facts' }, source.probing ? `${facts[0] ?? ''} · reading…` : facts.join(' · ')),
      ...(summary ? [h('span', { class: 'source-edits' }, `Edits: ${summary}`)] : []),
      ...(misfit ? [h('span', { class: 'source-problem' }, misfit)] : []),
      ...(source.problem ? [h('span', { class: 'source-problem' }, source.problem)] : []),
      h('span', { class: 'source-actions' }, edit, remove),
    );
  }
}
