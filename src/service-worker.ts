/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * Registers the service worker that vite-plugin-pwa builds (scripts/pwa.ts): it precaches the
 * whole app on the first visit, so later visits open and convert offline. In `vite` dev the
 * plugin's module is a no-op (no service worker there).
 */
import { registerSW } from 'virtual:pwa-register';

export interface UpdatePrompt {
  /** A new deployment is waiting: tell the person. */
  show(): void;
  /** Another tab's Update made the new deployment this tab's service worker: this page runs the previous one. */
  showTakenOver(): void;
}

/** Asks the service worker to drop its copy of a previous deployment's files once no page needs them (public/keep-previous-assets.js). */
const PRUNE_PREVIOUS_ASSETS = { type: 'ffbatch-prune-previous-assets' };

/**
 * Starts the service worker; returns `apply`, which the prompt calls on the person's click:
 * the waiting worker takes over and this page reloads. A worker that took over through another
 * tab's Update never reloads this page under its jobs: the prompt decides when (see UpdateBanner).
 */
export function registerServiceWorker(prompt: UpdatePrompt): () => Promise<void> {
  let requested = false;
  let takenOver = false;
  const updateSW = registerSW({
    immediate: true,
    onNeedRefresh: () => prompt.show(),
    onNeedReload: () => {
      takenOver = true;
      if (requested) location.reload();
      else prompt.showTakenOver();
    },
    // This page runs the current deployment: a copy of an earlier one may no longer be needed.
    onRegisteredSW: (_url, registration) => registration?.active?.postMessage(PRUNE_PREVIOUS_ASSETS),
  });
  return async () => {
    requested = true;
    if (takenOver) location.reload();
    else await updateSW();
  };
}
