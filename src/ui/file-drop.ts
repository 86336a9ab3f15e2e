import { looksLikeMedia, type AddedFile } from '../index';

/** Reads every file below a dropped folder (the entries API hands them out in chunks). */
async function filesBelow(entry: FileSystemEntry, path: string): Promise<AddedFile[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return looksLikeMedia(file) ? [{ file, displayName: `${path}${file.name}` }] : [];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const found: AddedFile[] = [];
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) break;
    for (const child of chunk) found.push(...(await filesBelow(child, `${path}${entry.name}/`)));
  }
  return found;
}

/**
 * Chromium: a dropped file's FileSystemFileHandle, kept with its jobs so Resume can read it
 * after a reload. Must be asked for during the drop event itself (the items die after it).
 */
function handleOf(item: DataTransferItem): Promise<FileSystemFileHandle | null> {
  const ask = (item as DataTransferItem & { getAsFileSystemHandle?: () => Promise<FileSystemHandle | null> }).getAsFileSystemHandle;
  if (item.kind !== 'file' || typeof ask !== 'function') return Promise.resolve(null);
  return ask
    .call(item)
    .then((handle) => (handle?.kind === 'file' ? (handle as FileSystemFileHandle) : null))
    .catch(() => null);
}

function withHandle(file: File, handle: FileSystemFileHandle | null): AddedFile {
  return handle ? { file, handle } : { file };
}

/** The files of a drop: loose files as they are (with their handles where the browser gives them), folders walked (media files only). */
export async function filesFromDrop(transfer: DataTransfer): Promise<AddedFile[]> {
  const items = [...transfer.items];
  const handles = items.map(handleOf);
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = [...transfer.files];
  if (entries.every((e) => e === null)) return Promise.all(files.map(async (file, i) => withHandle(file, (await handles[i]) ?? null)));
  const found: AddedFile[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry?.isDirectory) found.push(...(await filesBelow(entry, '')));
    else {
      const file = files[i] ?? (entry ? await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)) : null);
      if (file) found.push(withHandle(file, (await handles[i]) ?? null));
    }
  }
  return found;
}

/**
 * Chromium: the picker that gives FileSystemFileHandles (kept for Resume). Null where the
 * browser has none; the `input[type=file]` is used then. Throws AbortError when dismissed.
 */
export function pickWithHandles(): (() => Promise<AddedFile[]>) | null {
  const picker = (window as Window & { showOpenFilePicker?: (options: { multiple: boolean }) => Promise<FileSystemFileHandle[]> }).showOpenFilePicker;
  if (typeof picker !== 'function') return null;
  return async () => {
    const handles = await picker.call(window, { multiple: true });
    return Promise.all(handles.map(async (handle) => ({ file: await handle.getFile(), handle })));
  };
}

/** Files from the folder picker (`webkitdirectory`): media only, named by their path. */
export function filesFromFolderInput(files: FileList): AddedFile[] {
  return [...files].filter(looksLikeMedia).map((file) => ({ file, displayName: file.webkitRelativePath || file.name }));
}
