/**
 * Which re-added files resume which interrupted jobs (issue 11): a file matches a job when
 * its name, size and last-modified time are those the job was made from. A file with a
 * job's name whose size or time differs has changed since: it is named, and not matched.
 */
import type { SourceKey } from '../storage/records';

export interface InterruptedJob {
  id: string;
  source: SourceKey;
}

export interface ResumeMatch {
  /** Index of the added file → ids of the interrupted jobs it resumes, in the jobs' order. */
  matched: Map<number, string[]>;
  /** Names of added files that have an interrupted job's name but changed since (each once). */
  changed: string[];
}

export function sameFile(a: SourceKey, b: SourceKey): boolean {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
}

export function matchInterrupted(jobs: readonly InterruptedJob[], files: readonly SourceKey[]): ResumeMatch {
  const matched = new Map<number, string[]>();
  const changed: string[] = [];
  const taken = new Set<string>();
  files.forEach((file, index) => {
    const ids = jobs.filter((job) => !taken.has(job.id) && sameFile(job.source, file)).map((job) => job.id);
    if (ids.length > 0) {
      for (const id of ids) taken.add(id);
      matched.set(index, ids);
    } else if (jobs.some((job) => !taken.has(job.id) && job.source.name === file.name) && !changed.includes(file.name)) {
      changed.push(file.name);
    }
  });
  return { matched, changed };
}

export function keyOf(file: Pick<File, 'name' | 'size' | 'lastModified'>): SourceKey {
  return { name: file.name, size: file.size, lastModified: file.lastModified };
}

/** The sentence for files that changed since their jobs were interrupted, or null. */
export function changedSentence(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  const list = names.join(', ');
  return names.length === 1
    ? `${list} has changed since its jobs were interrupted (its size or date differs), so they were not resumed with it.`
    : `${list} have changed since their jobs were interrupted (their size or date differs), so they were not resumed with them.`;
}
