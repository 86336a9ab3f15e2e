/**
 * Offline and installable (issue 11): vite-plugin-pwa generates a Workbox service worker that
 * precaches the whole build on the first visit (page, worker chunks, the ffmpeg core's 32 MB
 * .wasm, icons, manifest), so the page opens and converts with the network off afterwards.
 * Everything is relative (base './', scope './'): dist/ works from any folder of any static
 * host, with no special headers and no request to any other origin.
 */
import type { PluginOption } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The files **Open with ffbatch** offers to open (the manifest's `file_handlers`), by MIME type:
 * the extensions the page itself takes as media (src/jobs/source.ts, `looksLikeMedia`;
 * test/unit/pwa-manifest.test.ts holds the two lists together).
 */
export const OPEN_WITH_TYPES: Readonly<Record<string, readonly string[]>> = {
  'video/mp4': ['.mp4', '.m4v', '.f4v'],
  'video/quicktime': ['.mov'],
  'video/x-matroska': ['.mkv'],
  'video/webm': ['.webm'],
  'video/x-msvideo': ['.avi'],
  'video/x-flv': ['.flv'],
  'video/ogg': ['.ogv'],
  'video/mpeg': ['.mpg', '.mpeg', '.vob'],
  'video/mp2t': ['.ts', '.mts', '.m2ts'],
  'video/3gpp': ['.3gp'],
  'video/3gpp2': ['.3g2'],
  'video/x-ms-wmv': ['.wmv'],
  'video/x-ms-asf': ['.asf'],
  'video/x-dv': ['.dv'],
  'application/mxf': ['.mxf'],
  'audio/mpeg': ['.mp3'],
  'audio/mp4': ['.m4a'],
  'audio/aac': ['.aac'],
  'audio/ogg': ['.ogg', '.oga'],
  'audio/opus': ['.opus'],
  'audio/wav': ['.wav'],
  'audio/flac': ['.flac'],
  'audio/x-ms-wma': ['.wma'],
};

/** Where the share sheet POSTs (relative to the scope); public/share-target.js answers it in the service worker. */
export const SHARE_TARGET_ACTION = 'share-target';

/** Above the core's .wasm (32 MB) with room to grow; Workbox's default (2 MiB) would leave it out. */
export const PRECACHE_MAX_BYTES = 64 * 1024 * 1024;

export function pwaPlugin(): PluginOption {
  return VitePWA({
    // A new deployment waits until the person presses Update (src/ui/update-banner.ts): never a
    // reload in the middle of a batch. The page registers the worker itself (src/service-worker.ts).
    registerType: 'prompt',
    injectRegister: false,
    strategies: 'generateSW',
    scope: './',
    manifest: {
      id: './',
      name: 'ffbatch — convert video and audio in your browser',
      short_name: 'ffbatch',
      description: 'Batch-convert video and audio files in your browser, on all your cores. Works offline; nothing leaves your machine unless you upload it.',
      start_url: './',
      scope: './',
      display: 'standalone',
      background_color: '#f4f6f8',
      theme_color: '#1f6feb',
      icons: [
        { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
      // Open with ffbatch (desktop, installed): the page reads the files from launchQueue (src/pwa/system-files.ts).
      file_handlers: [{ action: './', accept: OPEN_WITH_TYPES as Record<string, string[]> }],
      // Share to ffbatch (phone, installed): the service worker answers the POST itself; nothing is sent anywhere.
      share_target: {
        action: `./${SHARE_TARGET_ACTION}`,
        method: 'POST',
        enctype: 'multipart/form-data',
        params: { files: [{ name: 'files', accept: ['video/*', 'audio/*', ...Object.values(OPEN_WITH_TYPES).flat()] }] },
      },
      // A second Open with goes to the open window's launchQueue instead of a new window.
      launch_handler: { client_mode: 'focus-existing' },
    },
    workbox: {
      // The whole build: html, js (page, worker chunks, the core's glue), css, wasm, icons, manifest.
      globPatterns: ['**/*'],
      // The manifest is added by the plugin with its own revision; listed once.
      globIgnores: ['**/node_modules/**/*', 'manifest.webmanifest'],
      maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
      // Any address of the page (with ?engine=… and other knobs) opens the precached page.
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      // A tab still running the previous deployment after another tab's Update keeps starting
      // encode workers from its own hashed files: public/keep-previous-assets.js copies them
      // aside when an update installs, and this route serves them (only asset URLs the new
      // precache does not have reach it). No CDN: nothing here leaves the origin.
      importScripts: ['keep-previous-assets.js', 'share-target.js'],
      runtimeCaching: [
        {
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/assets/'),
          handler: 'CacheFirst',
          options: { cacheName: 'ffbatch-previous-assets', cacheableResponse: { statuses: [200] } },
        },
      ],
    },
    // The icons are in public/icons/ and so already in the glob above.
    includeManifestIcons: false,
    devOptions: { enabled: false },
  });
}
