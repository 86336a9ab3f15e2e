/**
 * A private (off-the-record) window: Chromium keeps IndexedDB *and* OPFS in memory there, and
 * its storage estimate does not say so (it reports the same quota as on disk). The copy probe
 * tells (OutputStore.copiesFiles: off the record, storing an OPFS File keeps a reference, not
 * a copy); the room is then a share of the machine's memory, not of its disk.
 */
import { formatBytes } from '../shared/format';

/**
 * Chromium's in-memory storage for a private window is a random 15–20 % of physical memory
 * (storage/browser/quota/quota_settings.cc, kIncognitoQuotaRatioLowerBound): the low end is
 * what can be counted on.
 */
export const PRIVATE_WINDOW_MEMORY_SHARE = 0.15;

/** `navigator.deviceMemory` where the browser hides it (it is rounded, and capped at 8 in Chromium). */
const DEFAULT_DEVICE_MEMORY_GIB = 4;

export interface PrivateWindowFigures {
  /** The page has OPFS (without it the copy probe cannot tell anything). */
  hasOpfs: boolean;
  /** OutputStore.copiesFiles(): false off the record. */
  copiesFiles: boolean;
  /** `navigator.deviceMemory` (GiB), where given. */
  deviceMemoryGiB?: number | undefined;
  /** The storage estimate's quota, where given (it may be lower than the memory share). */
  quotaBytes?: number | null | undefined;
}

/**
 * The bytes a private window can hold in memory for this page, or null when outputs go to disk
 * (a normal window, or no way to tell).
 *
 * @example
 * ```ts
 * inMemoryLimit({ hasOpfs: true, copiesFiles: false, deviceMemoryGiB: 8 }); // 1288490188.8 (15 % of 8 GiB)
 * ```
 */
export function inMemoryLimit(figures: PrivateWindowFigures): number | null {
  if (!figures.hasOpfs || figures.copiesFiles) return null;
  const memory = figures.deviceMemoryGiB && figures.deviceMemoryGiB > 0 ? figures.deviceMemoryGiB : DEFAULT_DEVICE_MEMORY_GIB;
  const share = memory * 2 ** 30 * PRIVATE_WINDOW_MEMORY_SHARE;
  const quota = figures.quotaBytes ?? null;
  return quota !== null && Number.isFinite(quota) && quota > 0 ? Math.min(share, quota) : share;
}

/**
 * What the page says before a big job starts in a private window, and leads the sentence of a
 * job refused or failed for lack of room there.
 *
 * @example
 * ```ts
 * privateWindowSentence(1.2e9); // 'This private window keeps outputs in memory: at most about 1.2 GB here.'
 * ```
 */
export function privateWindowSentence(limitBytes: number): string {
  return `This private window keeps outputs in memory: at most about ${formatBytes(limitBytes)} here.`;
}

/** What a person can do about it. */
export const PRIVATE_WINDOW_ADVICE = 'Open ffbatch in a normal window for files this big (outputs there go to disk).';

/**
 * Whether the job's output (counted twice while it is stored, see COPIES_WHILE_STORING) is big
 * enough for the page to warn before Encode: over a quarter of what the window holds.
 *
 * @example
 * ```ts
 * const { bytes, inMemoryBytes } = await batch.estimateOutputs(['mp4-remux']);
 * if (inMemoryBytes !== null && worthWarning(bytes * COPIES_WHILE_STORING, inMemoryBytes)) note.textContent = privateWindowSentence(inMemoryBytes);
 * ```
 */
export function worthWarning(neededBytes: number, limitBytes: number): boolean {
  return neededBytes > limitBytes / 4;
}
