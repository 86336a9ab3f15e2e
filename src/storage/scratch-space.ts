/**
 * The page's side of the workers' OPFS scratch: where each job's outputs are written before
 * they are stored in IndexedDB. Every tab works in a folder of its own, held by a Web Lock
 * for the tab's life, so a tab that starts can remove what crashed or closed tabs left
 * behind without touching a folder another open tab is writing.
 */
import type { TabPresence } from './tab-presence';

const ROOT = 'ffbatch-scratch';

export class ScratchSpace {
  private runs = 0;

  private constructor(
    private readonly root: FileSystemDirectoryHandle,
    private readonly tabFolder: string,
    private readonly presence: TabPresence,
    /** False where storing a scratch File keeps only a reference to it (see OutputStore.copiesFiles). */
    readonly storeCopiesFiles: boolean,
  ) {}

  /**
   * Takes this tab's folder (named by its presence id) and clears the folders of tabs no
   * longer open. Null where the browser has no OPFS (outputs then stay in the workers' memory).
   */
  static async open(presence: TabPresence | null, storeCopiesFiles: () => Promise<boolean>): Promise<ScratchSpace | null> {
    if (typeof navigator.storage?.getDirectory !== 'function' || !presence) return null;
    try {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
      const space = new ScratchSpace(root, presence.id, presence, await storeCopiesFiles());
      await space.removeAbandoned();
      return space;
    } catch {
      return null;
    }
  }

  /** A new, empty folder for one worker run of a job (a retried run never meets a handle its dead worker still holds). */
  folderForRun(jobId: string): string[] {
    this.runs += 1;
    return [ROOT, this.tabFolder, jobId, `run-${this.runs}`];
  }

  /** Removes everything a job wrote; done once its output is stored, or it failed or was canceled. */
  async removeJob(jobId: string): Promise<void> {
    const tab = await this.root.getDirectoryHandle(this.tabFolder, { create: true });
    await removeEntryPatiently(tab, jobId);
  }

  /**
   * Writes a stream to a file of this tab's scratch folder and returns it as a disk-backed
   * File, so a zip of many gigabytes never sits in the page's memory. It stays until the
   * next call with the same name, or the next start's clean-up.
   */
  async saveStream(name: string, stream: ReadableStream<Uint8Array>): Promise<File> {
    const tab = await this.root.getDirectoryHandle(this.tabFolder, { create: true });
    const handle = await tab.getFileHandle(name, { create: true });
    await stream.pipeTo(await handle.createWritable());
    return handle.getFile();
  }

  private async removeAbandoned(): Promise<void> {
    const open = await this.presence.openTabs();
    for await (const name of this.root.keys()) {
      if (name !== this.tabFolder && !open.has(name)) await removeEntryPatiently(this.root, name);
    }
  }
}

/**
 * A worker that was just terminated (cancel) may hold its sync access handles for a moment
 * longer: try a few times, then leave the rest to the next start's clean-up.
 */
export async function removeEntryPatiently(folder: FileSystemDirectoryHandle, name: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await folder.removeEntry(name, { recursive: true });
      return;
    } catch (error) {
      if (error instanceof DOMException && error.name === 'NotFoundError') return;
      await new Promise((resume) => setTimeout(resume, 200 * (attempt + 1)));
    }
  }
}
