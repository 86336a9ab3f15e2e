/**
 * Offline and installable (issue 11): vite-plugin-pwa generates a Workbox service worker that
 * precaches the whole build on the first visit (page, worker chunks, the ffmpeg core's 32 MB
 * .wasm, icons, manifest), so the page opens and converts with the network off afterwards.
 * Everything is relative (base './', scope './'): dist/ works from any folder of any static
 * host, with no special headers and no request to any other origin.
 */
import type { PluginOption } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

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
      importScripts: ['keep-previous-assets.js'],
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
