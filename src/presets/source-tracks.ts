import type { ProbeReport, ProbeStream } from '../../workers/protocol';

/**
 * One sound or subtitle track as a person picks it: its index among the tracks of its kind
 * (what `-map 0:a:N` / `0:s:N` names) and a label from its tags.
 *
 * @example
 * ```ts
 * const track: SourceTrack = { index: 1, label: 'English · Commentary · AAC stereo', codec: 'aac', language: 'eng', channels: 2, sampleRate: 48000 };
 * ```
 */
export interface SourceTrack {
  index: number;
  label: string;
  codec: string;
  /** ISO 639-2 code from the file's tags, or null. */
  language: string | null;
  /** Sound only: its channel count, where the probe says. */
  channels?: number;
  /** Sound only: its sample rate in Hz, where the probe says. */
  sampleRate?: number;
}

/**
 * The tracks a person can choose among.
 *
 * @example
 * ```ts
 * const tracks: SourceTracks = { audio: [], subtitles: [] };
 * ```
 */
export interface SourceTracks {
  audio: SourceTrack[];
  subtitles: SourceTrack[];
}

const LANGUAGES: Readonly<Record<string, string>> = {
  eng: 'English', fre: 'French', fra: 'French', ger: 'German', deu: 'German', spa: 'Spanish', ita: 'Italian', por: 'Portuguese',
  dut: 'Dutch', nld: 'Dutch', jpn: 'Japanese', chi: 'Chinese', zho: 'Chinese', kor: 'Korean', rus: 'Russian', ara: 'Arabic',
  hin: 'Hindi', pol: 'Polish', swe: 'Swedish', nor: 'Norwegian', dan: 'Danish', fin: 'Finnish', tur: 'Turkish', ukr: 'Ukrainian',
};

/** Subtitle codecs that are text (kept as text or burned by libass); bitmap ones (PGS, DVD) are neither here. */
export const TEXT_SUBTITLE_CODECS: ReadonlySet<string> = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

function tag(stream: ProbeStream, name: string): string | null {
  const tags = stream.tags ?? {};
  const value = tags[name] ?? tags[name.toUpperCase()];
  return value && value !== 'und' ? value : null;
}

function channelsWord(channels: number | undefined): string {
  if (channels === 1) return 'mono';
  if (channels === 2) return 'stereo';
  return channels ? `${channels} ch` : '';
}

function labelOf(stream: ProbeStream, kind: 'audio' | 'subtitle'): string {
  const language = tag(stream, 'language');
  const words = [
    language ? (LANGUAGES[language] ?? language) : null,
    tag(stream, 'title'),
    [stream.codec_name?.toUpperCase(), kind === 'audio' ? channelsWord(stream.channels) : null].filter(Boolean).join(' ') || null,
  ];
  return words.filter(Boolean).join(' · ') || (kind === 'audio' ? 'Sound' : 'Subtitles');
}

/**
 * The sound and subtitle tracks of a probed file, in file order.
 *
 * @example
 * ```ts
 * describeTracks(report).audio.map((t) => t.label); // ['English · AAC stereo', 'English · Commentary · AAC stereo']
 * ```
 */
export function describeTracks(report: ProbeReport): SourceTracks {
  const streams = report.streams ?? [];
  const pick = (kind: 'audio' | 'subtitle'): SourceTrack[] =>
    streams
      .filter((s) => s.codec_type === kind)
      .map((s, index) => ({
        index,
        label: labelOf(s, kind),
        codec: s.codec_name ?? 'unknown',
        language: tag(s, 'language'),
        ...(kind === 'audio' && s.channels ? { channels: s.channels } : {}),
        ...(kind === 'audio' && Number(s.sample_rate) > 0 ? { sampleRate: Number(s.sample_rate) } : {}),
      }));
  return { audio: pick('audio'), subtitles: pick('subtitle') };
}
