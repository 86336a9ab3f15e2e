/**
 * How a multipart upload cuts a blob into parts, within S3's limits. Pure functions.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
 */

const MiB = 1024 * 1024;

/** S3's smallest part (every part but the last). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** S3's largest part number. */
export const MAX_PARTS = 10_000;
/** Used when the caller does not choose: big enough to keep request overhead low, small enough to retry cheaply. */
export const DEFAULT_PART_SIZE = 8 * MiB;

/** One part: bytes [start, end) of the blob. */
export interface PlannedPart {
  partNumber: number;
  start: number;
  end: number;
}

/**
 * The part size to use for `totalBytes`: the wish (or the default), raised to at least 5 MiB and
 * to whatever keeps the count within 10 000 parts (rounded up to a whole MiB).
 *
 * @throws RangeError when even 10 000 parts of 5 GiB cannot hold the blob.
 */
export function choosePartSize(totalBytes: number, wishedPartSize: number = DEFAULT_PART_SIZE): number {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) {
    throw new RangeError(`totalBytes must be a whole number of bytes, got ${totalBytes}.`);
  }
  const fewestBytesPerPart = Math.ceil(Math.ceil(totalBytes / MAX_PARTS) / MiB) * MiB;
  const size = Math.max(MIN_PART_SIZE, Math.floor(wishedPartSize), fewestBytesPerPart);
  if (size > MAX_PART_SIZE) {
    throw new RangeError(`${totalBytes} bytes do not fit in ${MAX_PARTS} parts of at most 5 GiB.`);
  }
  return size;
}

/**
 * Every part of a blob of `totalBytes` cut at `partSize` (the last one may be shorter).
 * An empty blob still has one (empty) part, since S3 needs at least one.
 */
export function planParts(totalBytes: number, partSize: number): PlannedPart[] {
  if (!(partSize > 0)) throw new RangeError(`partSize must be positive, got ${partSize}.`);
  const count = Math.max(1, Math.ceil(totalBytes / partSize));
  if (count > MAX_PARTS) throw new RangeError(`${count} parts is more than S3's ${MAX_PARTS}.`);
  return Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    start: i * partSize,
    end: Math.min(totalBytes, (i + 1) * partSize),
  }));
}

/** The parts of `plan` whose numbers are not in `completed`, in order. */
export function remainingParts(plan: readonly PlannedPart[], completed: Iterable<{ PartNumber: number }>): PlannedPart[] {
  const done = new Set<number>();
  for (const part of completed) done.add(part.PartNumber);
  return plan.filter((part) => !done.has(part.partNumber));
}
