import type { AddedFile } from '../jobs/batch';
import { looksLikeMedia } from '../jobs/source';

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

/** The files of a drop: loose files as they are, folders walked (media files only). */
export async function filesFromDrop(transfer: DataTransfer): Promise<AddedFile[]> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.every((e) => e === null)) return [...transfer.files].map((file) => ({ file }));
  const found: AddedFile[] = [];
  for (const [i, entry] of entries.entries()) {
    if (entry?.isDirectory) found.push(...(await filesBelow(entry, '')));
    else {
      const file = transfer.files[i] ?? (entry ? await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej)) : null);
      if (file) found.push({ file });
    }
  }
  return found;
}

/** Files from the folder picker (`webkitdirectory`): media only, named by their path. */
export function filesFromFolderInput(files: FileList): AddedFile[] {
  return [...files].filter(looksLikeMedia).map((file) => ({ file, displayName: file.webkitRelativePath || file.name }));
}
