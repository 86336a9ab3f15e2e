/// <reference lib="webworker" />
/**
 * Opens the OPFS scratch files a run will write, before the run: Emscripten's file system
 * is synchronous, OPFS hands out sync access handles asynchronously. The page owns the
 * folder (it names it per job and removes it once the output is stored).
 */
import type { SyncFile } from './opfs-fs';

/** Whether this worker can write outputs to OPFS in place. */
export function canWriteToOpfs(): boolean {
  return (
    typeof FileSystemFileHandle !== 'undefined' &&
    'createSyncAccessHandle' in FileSystemFileHandle.prototype &&
    typeof navigator.storage?.getDirectory === 'function'
  );
}

export interface ScratchFiles {
  /** Open handles by output name, for the OPFS file system. */
  handles: Map<string, SyncFile>;
  /** Flushes and closes every handle; then the Files of the named outputs, null where absent. */
  close(written: ReadonlySet<string>): Promise<(File | null)[]>;
}

async function folderAt(path: readonly string[]): Promise<FileSystemDirectoryHandle> {
  let folder = await navigator.storage.getDirectory();
  for (const name of path) folder = await folder.getDirectoryHandle(name, { create: true });
  return folder;
}

export async function openScratchFiles(path: readonly string[], names: readonly string[]): Promise<ScratchFiles> {
  const folder = await folderAt(path);
  const opened: { name: string; file: FileSystemFileHandle; handle: FileSystemSyncAccessHandle }[] = [];
  try {
    for (const name of names) {
      const file = await folder.getFileHandle(name, { create: true });
      const handle = await file.createSyncAccessHandle();
      // A retried job finds its earlier attempt's bytes here.
      handle.truncate(0);
      opened.push({ name, file, handle });
    }
  } catch (error) {
    for (const { handle } of opened) handle.close();
    throw error;
  }
  let closed = false;
  const closeAll = (): void => {
    if (closed) return;
    closed = true;
    for (const { handle } of opened) {
      try {
        handle.flush();
      } finally {
        handle.close();
      }
    }
  };
  return {
    handles: new Map(opened.map(({ name, handle }) => [name, handle])),
    async close(written) {
      closeAll();
      // getFile() after close: a disk-backed snapshot; the page gets it without a byte copied.
      return Promise.all(opened.map(({ name, file }) => (written.has(name) ? file.getFile() : Promise.resolve(null))));
    },
  };
}
