import type { Preset } from '../presets/presets';

/** `holiday.avi` → `holiday`; a name that is all extension keeps it. */
export function baseName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/**
 * The output's file name: the source's name with the preset's extension, plus the
 * preset's short suffix where another chosen preset, or the source itself, has that name.
 */
export function outputName(sourceName: string, preset: Preset, chosen: readonly Preset[]): string {
  const base = baseName(sourceName);
  const plain = `${base}.${preset.extension}`;
  // Also when the output would carry the source's own name: saved beside it, it would replace it.
  const clash = plain === sourceName || chosen.some((other) => other.id !== preset.id && other.extension === preset.extension);
  return clash ? `${base}-${preset.nameSuffix}.${preset.extension}` : plain;
}

/** Names made unique for one zip: the second `a.mp4` becomes `a (2).mp4`, never a name already taken. */
export function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let candidate = name;
    const dot = name.lastIndexOf('.');
    for (let n = 2; taken.has(candidate); n++) {
      candidate = dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
    }
    taken.add(candidate);
    return candidate;
  });
}
