/**
 * Part of the service worker (issue 11), pulled in by Workbox's `importScripts` (scripts/pwa.ts).
 *
 * Why: a new deployment's worker, once activated by Update in any tab, takes over every open
 * tab and deletes the previous deployment's files from the precache. A tab that still runs
 * the previous page (its batch is never reloaded under it) starts new encode workers as it
 * goes (a worker is recycled after some jobs, or ended by Cancel): their chunks have the
 * previous deployment's hashed names, which the new precache no longer has, and which the
 * host may no longer serve, or which cannot be fetched at all offline.
 *
 * So: when an update installs, the precached `assets/` files (hashed names, never changed in
 * place) are copied to a cache of their own, which a runtime route serves for the asset URLs
 * the new precache does not have. The copy lives as long as a page that was open at the
 * update is still open: pages ask for a prune when they load (message below), and the copy
 * is deleted once none of those pages is left.
 */
const PREVIOUS_ASSETS = 'ffbatch-previous-assets';
/** Where the ids of the pages open at the update are kept, inside the copy's cache. */
const OPEN_PAGES_KEY = 'ffbatch-previous-assets/open-pages.json';
const PRUNE_MESSAGE = 'ffbatch-prune-previous-assets';

function assetsPath() {
  return new URL('assets/', self.registration.scope).pathname;
}

function openPagesUrl() {
  return new URL(OPEN_PAGES_KEY, self.registration.scope).href;
}

async function precacheNames() {
  return (await caches.keys()).filter((name) => name.startsWith('workbox-precache'));
}

async function openPageIds() {
  return (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).map((client) => client.id);
}

async function savedPageIds(cache) {
  const saved = await cache.match(openPagesUrl());
  return saved ? await saved.json() : [];
}

/**
 * On an update's install: copies the precached assets (the running deployment's) aside.
 * Which of them the new deployment drops is not known here, so all are copied; files the
 * new precache still has are dropped from the copy once it is active (see prune).
 */
async function keepPreviousAssets() {
  // The first install has no previous deployment to keep.
  if (!self.registration.active) return;
  try {
    const kept = await caches.open(PREVIOUS_ASSETS);
    const prefix = assetsPath();
    for (const name of await precacheNames()) {
      const precache = await caches.open(name);
      for (const request of await precache.keys()) {
        if (!new URL(request.url).pathname.startsWith(prefix) || (await kept.match(request.url))) continue;
        const response = await precache.match(request);
        if (response) await kept.put(request.url, response);
      }
    }
  } catch (error) {
    // Storage full, say: the update must still install; old tabs then fetch from the host.
    console.warn('ffbatch: could not keep the previous deployment’s files', error);
  }
}

/** On activation: the pages open now run a previous deployment; the copy stays while any of them does. */
async function rememberOpenPages() {
  if (!(await caches.has(PREVIOUS_ASSETS))) return;
  const kept = await caches.open(PREVIOUS_ASSETS);
  const ids = new Set([...(await savedPageIds(kept)), ...(await openPageIds())]);
  await kept.put(openPagesUrl(), new Response(JSON.stringify([...ids]), { headers: { 'content-type': 'application/json' } }));
}

/**
 * Deletes the copy once no page that was open at the update is left. Until then, drops from
 * it the files the current precache has too (unchanged between the deployments, such as the
 * core's .wasm): only once this worker is activated, since during activation the precache
 * still holds the previous deployment's files, which Workbox is about to delete.
 */
async function prunePreviousAssets() {
  if (!(await caches.has(PREVIOUS_ASSETS))) return;
  const kept = await caches.open(PREVIOUS_ASSETS);
  const saved = await savedPageIds(kept);
  const open = new Set(await openPageIds());
  if (!saved.some((id) => open.has(id))) {
    await caches.delete(PREVIOUS_ASSETS);
    return;
  }
  if (self.serviceWorker?.state !== 'activated') return;
  const current = new Set();
  for (const name of await precacheNames()) for (const request of await (await caches.open(name)).keys()) current.add(request.url);
  for (const request of await kept.keys()) if (current.has(request.url)) await kept.delete(request);
}

self.addEventListener('install', (event) => event.waitUntil(keepPreviousAssets()));
self.addEventListener('activate', (event) => event.waitUntil(rememberOpenPages()));
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === PRUNE_MESSAGE) event.waitUntil(prunePreviousAssets());
});
