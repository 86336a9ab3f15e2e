import type { Preset } from '../presets/presets';

/** `holiday.avi` → `holiday`; a name that is all extension keeps it. */
export function baseName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/**
 * The output's file name: the source's name with the preset's extension, plus the
 * preset's short suffix where another chosen preset would give the same name.
 */
export function outputName(sourceName: string, preset: Preset, chosen: readonly Preset[]): string {
  const clash = chosen.some((other) => other.id !== preset.id && other.extension === preset.extension);
  const base = baseName(sourceName);
  return clash ? `${base}-${preset.nameSuffix}.${preset.extension}` : `${base}.${preset.extension}`;
}

/** Names made unique for one zip: the second `a.mp4` becomes `a (2).mp4`. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count === 1) return name;
    const dot = name.lastIndexOf('.');
    return dot > 0 ? `${name.slice(0, dot)} (${count})${name.slice(dot)}` : `${name} (${count})`;
  });
}
