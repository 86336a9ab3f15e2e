/**
 * The font burned-in subtitles are drawn with: libass in the core has no fonts of its own, so
 * the job mounts this one beside its input (`/in/DejaVuSans.ttf`, the filter's fontsdir). It
 * is served from the app's own origin like the core (DejaVu Sans: Bitstream Vera licence,
 * free to use and redistribute), fetched once, on the first job that burns subtitles.
 */
import fontUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf?url';
import { SUBTITLE_FONT } from '../presets/edits';
import type { MountedInput } from '../../workers/protocol';
import { JobFailedError } from './errors';

let font: Promise<Blob> | null = null;

/** The font as a worker input. Fails the job with a sentence when it cannot be loaded (offline before it was cached). */
export async function subtitleFont(): Promise<MountedInput> {
  font ??= fetch(fontUrl).then((response) => {
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    return response.blob();
  });
  try {
    return { name: SUBTITLE_FONT.file, data: await font };
  } catch (error) {
    font = null;
    throw new JobFailedError(`The subtitle font could not be loaded from ${fontUrl} (${error instanceof Error ? error.message : String(error)}), so subtitles cannot be burned in.`);
  }
}
