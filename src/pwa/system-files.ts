/**
 * Files the system hands to the installed app (issue 20): **Open with ffbatch** (the manifest's
 * `file_handlers`: the browser queues the opened files' handles in `launchQueue`) and **Share to
 * ffbatch** (`share_target`: public/share-target.js keeps the shared files in a cache and sends
 * the window to `./?shared=<id>`). Both end as files added to the list, like picked ones.
 */
import type { AddedFile } from '../index';

/** The cache public/share-target.js keeps shared files in, one entry per file under `<scope>ffbatch-shared-files/<id>/<n>`. */
export const SHARED_FILES_CACHE = 'ffbatch-shared-files';

/** The slice of the File Handling API's `window.launchQueue` used here. */
export interface LaunchQueue {
  setConsumer(consumer: (params: { files?: readonly FileSystemHandle[] }) => void | Promise<void>): void;
}

/**
 * Hands each launch's files to `add`, with their handles: Resume can then read them again after
 * a reload, as it does for files picked with **Add files**. Handles of folders are skipped.
 */
export function consumeLaunchQueue(queue: LaunchQueue | undefined, add: (files: AddedFile[]) => void): void {
  queue?.setConsumer(async ({ files = [] }) => {
    const handles = files.filter((handle): handle is FileSystemFileHandle => handle.kind === 'file');
    const added = await Promise.all(handles.map(async (handle) => ({ file: await handle.getFile(), handle })));
    if (added.length > 0) add(added);
  });
}

/**
 * The files a share left for this page (`?shared=<id>` in `location`), taken out of the cache
 * (they are not kept twice); the address loses its `shared` so a reload does not look again.
 */
export async function takeSharedFiles(location: Location, history: History, cacheStorage: CacheStorage | undefined): Promise<AddedFile[]> {
  const url = new URL(location.href);
  const id = url.searchParams.get('shared');
  if (!id) return [];
  url.searchParams.delete('shared');
  history.replaceState(history.state, '', url.href);
  if (!cacheStorage) return [];
  const cache = await cacheStorage.open(SHARED_FILES_CACHE);
  const folder = `/${SHARED_FILES_CACHE}/${encodeURIComponent(id)}/`;
  const requests = (await cache.keys()).filter((request) => new URL(request.url).pathname.includes(folder));
  const files: { index: number; file: File }[] = [];
  for (const request of requests) {
    const response = await cache.match(request);
    if (!response) continue;
    const name = decodeURIComponent(response.headers.get('X-Ffbatch-Name') ?? 'shared');
    const lastModified = Number(response.headers.get('X-Ffbatch-Last-Modified')) || Date.now();
    const type = response.headers.get('Content-Type') ?? '';
    files.push({ index: Number(request.url.slice(request.url.lastIndexOf('/') + 1)), file: new File([await response.blob()], name, { type: type === 'application/octet-stream' ? '' : type, lastModified }) });
    await cache.delete(request);
  }
  return files.sort((a, b) => a.index - b.index).map(({ file }) => ({ file }));
}

/** Both routes, for the page: files opened or shared into the installed app go to `add`. */
export function receiveSystemFiles(add: (files: AddedFile[]) => void): void {
  consumeLaunchQueue((window as Window & { launchQueue?: LaunchQueue }).launchQueue, add);
  void takeSharedFiles(window.location, window.history, typeof caches === 'undefined' ? undefined : caches).then(
    (files) => {
      if (files.length > 0) add(files);
    },
    (error: unknown) => console.warn('ffbatch: could not take the shared files', error),
  );
}
