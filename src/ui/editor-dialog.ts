import { checkEdits, editableFacts, editProblems, formatTime, parseCrop, parseTime, summarizeEdits, type Crop, type EditableSource, type Edits, type Rotation, type SourceInfo, type Trim } from '../index';
import { CropBox } from './crop-box';
import { h, setText } from './dom';

/** A track a person can pick, as the probe found it. */
export interface TrackChoice {
  /** Index among the source's tracks of that kind (0 is the first). */
  index: number;
  /** "English · Commentary · AAC stereo" */
  label: string;
}

/** What the editor needs of one source: read from the session, never from the engine directly. */
export interface EditorSubject {
  id: string;
  name: string;
  /** What edits are checked against (duration, upright picture, track counts). */
  facts: EditableSource;
  fps: number | null;
  audioTracks: TrackChoice[];
  subtitleTracks: TrackChoice[];
  edits: Edits;
  /** Set when the editor changes one queued job's edits rather than the source's: its id and how the dialog names it. */
  job?: { id: string; label: string };
}

/** What the editor asks of the page: frames, bars, and where edits go. */
export interface EditorHost {
  /** Frames at the instants; `decoder` says what decoded them (`webcodecs` or `ffmpeg`). */
  thumbnails(sourceId: string, instants: number[], height: number, signal: AbortSignal): Promise<{ at: number; image: Blob; decoder: string }[]>;
  detectBars(sourceId: string, signal: AbortSignal): Promise<Crop | null>;
  save(sourceId: string, edits: Edits): void;
  /** Sets one queued job's edits; a sentence when it cannot (the job has started). */
  saveJob(jobId: string, edits: Edits): string | null;
  /** Copies edits to every other source; returns the sentences of those they do not fit, by file name. */
  applyToAll(sourceId: string): { name: string; problems: string[] }[];
}

/** What the editor shows of a probed source. */
export function editorSubject(id: string, name: string, info: SourceInfo, edits: Edits, job?: { id: string; label: string }): EditorSubject {
  const audio = info.tracks?.audio ?? (info.audio ? [{ index: 0, label: `${info.audio.codec.toUpperCase()} ${info.audio.channels === 1 ? 'mono' : info.audio.channels === 2 ? 'stereo' : `${info.audio.channels} ch`}` }] : []);
  return {
    id,
    name,
    facts: editableFacts(info),
    fps: info.video?.fps ?? null,
    audioTracks: audio.map((t) => ({ index: t.index, label: t.label })),
    subtitleTracks: (info.tracks?.subtitles ?? []).map((t) => ({ index: t.index, label: t.label })),
    edits,
    ...(job ? { job } : {}),
  };
}

const FILMSTRIP_FRAMES = 8;
const THUMB_HEIGHT = 72;
const PREVIEW_HEIGHT = 270;

/**
 * The editor of one source's edits: a filmstrip across the file, a scrubber with one-frame
 * steps and a preview at the playhead, In/Out (typed or set at the playhead), crop (typed or
 * detected), rotate and flip, sound and subtitle tracks. A native `<dialog>` (focus kept
 * inside, Escape closes), named "Edit <file>".
 */
export class EditorDialog {
  private readonly dialog = h('dialog', { class: 'editor' });
  private abort = new AbortController();
  private readonly urls: string[] = [];

  constructor(private readonly host: EditorHost) {
    document.body.append(this.dialog);
    this.dialog.addEventListener('close', () => this.cleanUp());
  }

  open(subject: EditorSubject): void {
    this.cleanUp();
    this.abort = new AbortController();
    this.dialog.setAttribute('aria-label', `Edit ${subject.job?.label ?? subject.name}`);
    this.dialog.replaceChildren(...this.build(subject));
    this.dialog.showModal();
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private cleanUp(): void {
    this.abort.abort();
    for (const url of this.urls.splice(0)) URL.revokeObjectURL(url);
  }

  private imageUrl(blob: Blob): string {
    const url = URL.createObjectURL(blob);
    this.urls.push(url);
    return url;
  }

  private build(subject: EditorSubject): Node[] {
    const { facts, edits } = subject;
    const signal = this.abort.signal;
    const duration = facts.durationSec ?? 0;
    const frameStep = subject.fps ? 1 / subject.fps : 1 / 30;
    const alert = h('p', { role: 'alert', class: 'form-alert' });
    const status = h('p', { class: 'hint', 'aria-live': 'polite' });

    // The control's name is its label alone (tests and screen readers find "In", not "In seconds or…"); the hint describes it.
    const field = (label: string, control: HTMLElement, hint?: string): HTMLElement => {
      control.setAttribute('aria-label', label);
      const hintId = hint ? `editor-hint-${label.toLowerCase().replace(/\W+/g, '-')}` : null;
      if (hintId) control.setAttribute('aria-describedby', hintId);
      return h('label', { class: 'editor-field' }, h('span', { 'aria-hidden': 'true' }, label), control, hint && hintId ? h('small', { class: 'hint', id: hintId }, hint) : null);
    };

    // With several ranges, In and Out are the first one's; the others are listed in "Also keep".
    const firstRange = edits.ranges?.[0] ?? edits.trim;
    const inInput = h('input', { type: 'text', name: 'in', inputmode: 'decimal', placeholder: '0:00', value: firstRange ? formatTime(firstRange.start) : '' });
    const outInput = h('input', { type: 'text', name: 'out', inputmode: 'decimal', placeholder: formatTime(duration), value: firstRange?.end != null ? formatTime(firstRange.end) : '' });
    const rangeText = (r: Trim): string => `${formatTime(r.start)}–${r.end === null ? '' : formatTime(r.end)}`;
    const alsoInput = h('input', { type: 'text', name: 'also-keep', placeholder: '1:10–1:20, 2:00–', value: (edits.ranges ?? []).slice(1).map(rangeText).join(', ') });
    const cropInput = h('input', { type: 'text', name: 'crop', placeholder: 'W:H:X:Y', value: edits.crop ? `${edits.crop.width}:${edits.crop.height}:${edits.crop.x}:${edits.crop.y}` : '' });
    const rotate = h('select', { name: 'rotate' }, ...[0, 90, 180, 270].map((deg) => h('option', { value: deg, selected: (edits.rotate ?? 0) === deg }, deg === 0 ? 'None' : `${deg}° clockwise`)));
    const flip = h('input', { type: 'checkbox', name: 'flip', checked: edits.flip === true });
    const soundTrack = h(
      'select',
      { name: 'sound-track', disabled: subject.audioTracks.length < 2 },
      ...(subject.audioTracks.length === 0 ? [h('option', { value: '0' }, 'No sound')] : subject.audioTracks.map((t) => h('option', { value: t.index, selected: (edits.audioTrack ?? 0) === t.index }, `${t.index + 1}. ${t.label}`))),
    );
    const chosenSubtitles = edits.subtitles && edits.subtitles.mode !== 'none' ? `${edits.subtitles.mode}:${edits.subtitles.track}` : 'none';
    const subtitles = h(
      'select',
      { name: 'subtitles', disabled: subject.subtitleTracks.length === 0 },
      h('option', { value: 'none' }, 'None'),
      ...subject.subtitleTracks.flatMap((t) => [
        h('option', { value: `keep:${t.index}`, selected: chosenSubtitles === `keep:${t.index}` }, `Keep ${t.index + 1}. ${t.label} as text`),
        h('option', { value: `burn:${t.index}`, selected: chosenSubtitles === `burn:${t.index}` }, `Burn ${t.index + 1}. ${t.label} into the picture`),
      ]),
    );

    // Scrubber and preview: the picture at the playhead, fetched once the hand stops.
    // Sized before its first frame arrives, so the crop rectangle has a picture to sit on.
    const preview = h('img', { class: 'editor-preview', alt: `${subject.name} at the playhead`, height: PREVIEW_HEIGHT, ...(facts.picture ? { width: Math.round((PREVIEW_HEIGHT * facts.picture.width) / facts.picture.height) } : {}), draggable: 'false' });
    const scrub = h('input', { type: 'range', min: 0, max: duration, step: frameStep, value: 0, 'aria-label': 'Playhead' });
    const clock = h('output', { class: 'editor-clock' }, formatTime(0));
    let playhead = 0;
    let previewTimer = 0;
    let previewAbort: AbortController | null = null;
    const showAt = (at: number): void => {
      const t = Math.min(duration, Math.max(0, at));
      // The playhead is kept here, not read back from the range (which snaps to its step from 0).
      playhead = t;
      scrub.value = String(t);
      setText(clock, formatTime(t));
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(() => {
        previewAbort?.abort();
        previewAbort = new AbortController();
        const both = AbortSignal.any([signal, previewAbort.signal]);
        this.host.thumbnails(subject.id, [t], PREVIEW_HEIGHT, both).then(
          ([frame]) => {
            if (!frame || both.aborted) return;
            preview.src = this.imageUrl(frame.image);
            preview.dataset['decoder'] = frame.decoder;
          },
          () => {},
        );
      }, 150);
    };
    scrub.addEventListener('input', () => showAt(Number(scrub.value)));
    const step = (frames: number): void => showAt(playhead + frames * frameStep);
    const back = h('button', { type: 'button', 'aria-label': 'One frame back' }, '◀');
    const forward = h('button', { type: 'button', 'aria-label': 'One frame forward' }, '▶');
    back.addEventListener('click', () => step(-1));
    forward.addEventListener('click', () => step(1));
    const setIn = h('button', { type: 'button' }, 'Set In');
    const setOut = h('button', { type: 'button' }, 'Set Out');
    setIn.addEventListener('click', () => (inInput.value = formatTime(playhead)));
    setOut.addEventListener('click', () => (outInput.value = formatTime(playhead)));
    // Keys, as video editors have them: ← → one frame (Shift: ten), I and O set In and Out at the
    // playhead. Not while typing in a field, nor on the scrubber (its own arrows already step a frame).
    this.dialog.addEventListener(
      'keydown',
      (event) => {
        const target = event.target;
        if (event.ctrlKey || event.metaKey || event.altKey || target === scrub) return;
        if (target instanceof HTMLInputElement ? target.type === 'text' || target.type === 'number' : target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return;
        const key = event.key.toLowerCase();
        if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') step((event.key === 'ArrowLeft' ? -1 : 1) * (event.shiftKey ? 10 : 1));
        else if (key === 'i') setIn.click();
        else if (key === 'o') setOut.click();
        else return;
        event.preventDefault();
      },
      { signal },
    );

    // Filmstrip: frames across the file; a click moves the playhead there.
    const strip = h('div', { class: 'filmstrip', 'aria-label': 'Frames across the file' });
    if (facts.picture && duration > 0) {
      const instants = Array.from({ length: FILMSTRIP_FRAMES }, (_, i) => Math.round(((i + 0.5) * duration * 1000) / FILMSTRIP_FRAMES) / 1000);
      setText(status, 'Reading frames…');
      this.host.thumbnails(subject.id, instants, THUMB_HEIGHT, signal).then(
        (frames) => {
          setText(status, '');
          // Which decoder made the strip (tests check it: WebCodecs for an MP4, ffmpeg.wasm for what the browser cannot read).
          if (frames[0]) strip.dataset['decoder'] = frames[0].decoder;
          strip.replaceChildren(
            ...frames.map((frame) => {
              const button = h('button', { type: 'button', class: 'filmstrip-frame', title: formatTime(frame.at) }, h('img', { src: this.imageUrl(frame.image), alt: `Frame at ${formatTime(frame.at)}`, height: THUMB_HEIGHT }));
              button.addEventListener('click', () => showAt(frame.at));
              return button;
            }),
          );
          if (frames[0]) showAt(frames[0].at);
        },
        (error: unknown) => {
          if (!signal.aborted) setText(status, `The frames could not be read: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    }

    const detect = h('button', { type: 'button', disabled: !facts.picture }, 'Detect bars');
    detect.addEventListener('click', () => {
      detect.disabled = true;
      setText(status, 'Looking for black bars in frames across the file…');
      this.host.detectBars(subject.id, signal).then(
        (crop) => {
          detect.disabled = false;
          setCrop(crop);
          setText(status, crop ? `Bars found: the picture is ${crop.width}×${crop.height}.` : 'No black bars found.');
        },
        (error: unknown) => {
          detect.disabled = false;
          if (!signal.aborted) setText(status, `Bars could not be detected: ${error instanceof Error ? error.message : String(error)}`);
        },
      );
    });
    // The crop rectangle on the preview and the typed field say the same thing: each follows the other.
    const cropText = (crop: Crop | null): string => (crop ? `${crop.width}:${crop.height}:${crop.x}:${crop.y}` : '');
    const cropBox = facts.picture ? new CropBox(facts.picture, preview, PREVIEW_HEIGHT, (crop) => (cropInput.value = cropText(crop))) : null;
    const showTyped = (): void => {
      const crop = parseCrop(cropInput.value);
      cropBox?.show(typeof crop === 'string' ? null : crop);
    };
    const setCrop = (crop: Crop | null): void => {
      cropInput.value = cropText(crop);
      cropBox?.show(crop);
    };
    cropInput.addEventListener('input', showTyped);
    showTyped();
    const aspects = facts.picture ? this.aspectPicks(facts.picture, setCrop) : null;

    // Reads the form into checked edits, or says what is wrong.
    const read = (): Edits | null => {
      setText(alert, '');
      const start = inInput.value.trim() === '' ? 0 : parseTime(inInput.value);
      const end = outInput.value.trim() === '' ? null : parseTime(outInput.value);
      if (start === null) return this.fail(alert, 'In is not a time: write seconds (12.5) or h:mm:ss.fff.');
      if (outInput.value.trim() !== '' && end === null) return this.fail(alert, 'Out is not a time: write seconds (12.5) or h:mm:ss.fff.');
      const also = readRanges(alsoInput.value);
      if (typeof also === 'string') return this.fail(alert, also);
      if (also.length > 0 && end === null) return this.fail(alert, 'Out is needed when more ranges follow (Also keep).');
      const crop = parseCrop(cropInput.value);
      if (typeof crop === 'string') return this.fail(alert, crop);
      const [mode, track] = subtitles.value.split(':');
      let edits: Edits;
      try {
        edits = checkEdits({
          ...(also.length > 0 ? { ranges: [{ start, end }, ...also] } : start > 0 || end !== null ? { trim: { start, end } } : {}),
          ...(crop ? { crop } : {}),
          ...(rotate.value !== '0' ? { rotate: Number(rotate.value) as Rotation } : {}),
          ...(flip.checked ? { flip: true } : {}),
          ...(subject.audioTracks.length > 1 && soundTrack.value !== '0' ? { audioTrack: Number(soundTrack.value) } : {}),
          ...(mode === 'keep' || mode === 'burn' ? { subtitles: { mode, track: Number(track) } } : {}),
        });
      } catch (error) {
        // The checks name the library's fields; on the page the trim's words say it well enough.
        return this.fail(
          alert,
          error instanceof Error
            ? error.message
                .replace(/^edits\.(?:trim|ranges\[0\])\.end must come after edits\.(?:trim|ranges\[0\])\.start\./, 'Out must come after In.')
                .replace(/edits\.ranges\[(\d+)\](?:\.(start|end))?/g, (_, i: string, part?: string) => `${part ? `the ${part} of ` : ''}range ${Number(i) + 1}`)
                .replace(/^./, (c) => c.toUpperCase())
            : String(error),
        );
      }
      const problems = editProblems(edits, facts);
      if (problems.length > 0) return this.fail(alert, problems.join(' '));
      return edits;
    };

    const save = h('button', { type: 'button', class: 'primary' }, 'Save edits');
    save.addEventListener('click', () => {
      const edits = read();
      if (!edits) return;
      if (subject.job) {
        const refusal = this.host.saveJob(subject.job.id, edits);
        if (refusal) return void this.fail(alert, refusal);
      } else this.host.save(subject.id, edits);
      this.close();
    });
    const applyAll = h('button', { type: 'button' }, 'Apply to all');
    applyAll.addEventListener('click', () => {
      const edits = read();
      if (!edits) return;
      this.host.save(subject.id, edits);
      const misfits = this.host.applyToAll(subject.id);
      setText(status, misfits.length === 0 ? `Applied to every file: ${summarizeEdits(edits) || 'no edits'}.` : `Applied; it does not fit ${misfits.map((m) => `${m.name} (${m.problems.join(' ')})`).join('; ')}`);
    });
    const cancel = h('button', { type: 'button', class: 'quiet' }, 'Cancel');
    cancel.addEventListener('click', () => this.close());

    return [
      h('h2', {}, `Edit ${subject.job?.label ?? subject.name}`),
      ...(subject.job ? [h('p', { class: 'hint' }, 'Only this job changes: its source and the source’s other jobs keep their edits.')] : []),
      ...(facts.picture ? [strip, h('div', { class: 'editor-stage' }, cropBox?.element ?? preview), h('div', { class: 'editor-scrub' }, back, scrub, forward, clock, setIn, setOut), h('p', { class: 'hint editor-keys' }, 'Keys: ← → one frame (Shift: ten), I and O set In and Out at the playhead.')] : []),
      h(
        'div',
        { class: 'editor-grid' },
        field('In', inInput, 'seconds or h:mm:ss.fff'),
        field('Out', outInput, 'empty: to the end'),
        field('Also keep', alsoInput, 'more ranges, joined after In–Out in order: 1:10–1:20, 2:00–'),
        ...(facts.picture ? [field('Crop', cropInput, 'W:H:X:Y in source pixels; empty for none'), h('div', { class: 'editor-crop-tools' }, detect, aspects)] : []),
        ...(facts.picture ? [field('Rotate', rotate), h('label', { class: 'editor-check' }, flip, 'Flip')] : []),
        field('Sound track', soundTrack),
        field('Subtitles', subtitles),
      ),
      status,
      alert,
      h('div', { class: 'editor-actions' }, save, subject.job ? null : applyAll, cancel),
    ];
  }

  /** Aspect picks: the largest centred rectangle of that shape inside the picture (even sides). */
  private aspectPicks(picture: { width: number; height: number }, setCrop: (crop: Crop) => void): HTMLElement {
    const even = (n: number): number => Math.floor(n / 2) * 2;
    const pick = (label: string, w: number, hgt: number): HTMLButtonElement => {
      const button = h('button', { type: 'button', class: 'quiet', 'aria-label': `Crop to ${label}` }, label);
      button.addEventListener('click', () => {
        const scale = Math.min(picture.width / w, picture.height / hgt);
        const width = Math.max(2, even(w * scale));
        const height = Math.max(2, even(hgt * scale));
        const x = even((picture.width - width) / 2);
        const y = even((picture.height - height) / 2);
        setCrop({ width, height, x, y });
      });
      return button;
    };
    return h('span', { class: 'aspect-picks' }, pick('16:9', 16, 9), pick('9:16', 9, 16), pick('1:1', 1, 1), pick('4:5', 4, 5));
  }

  private fail(alert: HTMLElement, sentence: string): null {
    setText(alert, sentence);
    return null;
  }
}

/** Ranges typed as `1:10–1:20, 2:00–` (en dash or hyphen; an empty end is the end of the file); a sentence when one cannot be read. */
function readRanges(text: string): Trim[] | string {
  const ranges: Trim[] = [];
  for (const piece of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to, extra] = piece.split(/\s*[–-]\s*/);
    const start = parseTime(from ?? '');
    const end = to === undefined || to === '' ? null : parseTime(to);
    if (to === undefined || extra !== undefined || start === null || (to !== '' && end === null)) return `"${piece}" is not a range: write start–end, such as 1:10–1:20.`;
    ranges.push({ start, end });
  }
  return ranges;
}
