/**
 * Part of the service worker (issue 20), pulled in by Workbox's `importScripts` (scripts/pwa.ts).
 *
 * Share to ffbatch: the system's share sheet POSTs the shared files (multipart, field `files`)
 * to `share-target` in the app's scope, as the manifest's `share_target` says. No server ever
 * sees that request: this worker answers it itself, online or offline. It keeps the files in a
 * cache of their own under a fresh id and sends the window to `./?shared=<id>`; the page takes
 * them from there into its list and deletes them (src/pwa/system-files.ts).
 */
const SHARED_FILES = 'ffbatch-shared-files';
const SHARE_ACTION = 'share-target';

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'POST' || new URL(request.url).pathname !== new URL(SHARE_ACTION, self.registration.scope).pathname) return;
  event.respondWith(keepSharedFiles(request));
});

async function keepSharedFiles(request) {
  const id = crypto.randomUUID();
  try {
    const form = await request.formData();
    const files = form.getAll('files').filter((value) => typeof value !== 'string');
    const cache = await caches.open(SHARED_FILES);
    await Promise.all(
      files.map((file, index) =>
        cache.put(
          new URL(`${SHARED_FILES}/${id}/${index}`, self.registration.scope).href,
          new Response(file, {
            headers: {
              'Content-Type': file.type || 'application/octet-stream',
              // Names may hold any character: kept encoded in a header of their own.
              'X-Ffbatch-Name': encodeURIComponent(file.name),
              'X-Ffbatch-Last-Modified': String(file.lastModified),
            },
          }),
        ),
      ),
    );
  } catch (error) {
    // The page says so: nothing was kept under this id.
    console.warn('ffbatch: the shared files could not be kept', error);
  }
  // 303: the window then GETs the page (from the precache when offline).
  return Response.redirect(new URL(`./?shared=${id}`, self.registration.scope).href, 303);
}
