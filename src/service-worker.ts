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
}

/**
 * Starts the service worker; returns `apply`, which the prompt calls on the person's click:
 * the waiting worker takes over and this page reloads. A worker that took over through another
 * tab's Update never reloads this page by itself: the prompt is shown and waits for a click.
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
      else prompt.show();
    },
  });
  return async () => {
    requested = true;
    if (takenOver) location.reload();
    else await updateSW();
  };
}
