/** A video preset's arguments by role; `args` is `-i in, maps, -vf filters, video, audio, mux, out`. */
export interface PresetParts {
  /** The -vf chain, or '' for none. */
  filters: string;
  video: string[];
  /** Empty when the source has no audio. */
  audio: string[];
  mux: string[];
  /** Output frame rate when the preset fixes one, else null (the source's timing is kept). */
  fps: number | null;
}
