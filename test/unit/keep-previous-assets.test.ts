/**
 * Issue 11, several tabs: the service worker's copy of a previous deployment's files
 * (public/keep-previous-assets.js), run here as the real script over a fake Cache Storage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { canApplyUpdate, updateAction } from '../../src/ui/update-banner';

const SCOPE = 'http://127.0.0.1:4000/app/';
const PRECACHE = `workbox-precache-v2-${SCOPE}`;
const SCRIPT = readFileSync(path.resolve(import.meta.dirname, '../../public/keep-previous-assets.js'), 'utf8');

/** Just enough of CacheStorage for the script: caches of URL → body. */
class FakeCaches {
  /** Every put fails, as with a full disk. */
  full = false;
  readonly stores = new Map<string, Map<string, string>>();
  keys(): Promise<string[]> {
    return Promise.resolve([...this.stores.keys()]);
  }
  has(name: string): Promise<boolean> {
    return Promise.resolve(this.stores.has(name));
  }
  delete(name: string): Promise<boolean> {
    return Promise.resolve(this.stores.delete(name));
  }
  open(name: string): Promise<unknown> {
    let store = this.stores.get(name);
    if (!store) {
      store = new Map();
      this.stores.set(name, store);
    }
    const entries = store;
    const urlOf = (request: string | Request): string => (typeof request === 'string' ? request : request.url);
    return Promise.resolve({
      keys: () => Promise.resolve([...entries.keys()].map((url) => new Request(url))),
      match: (request: string | Request) => {
        const body = entries.get(urlOf(request));
        return Promise.resolve(body === undefined ? undefined : new Response(body));
      },
      put: async (request: string | Request, response: Response) => {
        if (this.full) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
        entries.set(urlOf(request), await response.text());
      },
      delete: (request: string | Request) => Promise.resolve(entries.delete(urlOf(request))),
    });
  }
  urls(name: string): string[] {
    return [...(this.stores.get(name)?.keys() ?? [])].sort();
  }
}

type Listener = (event: { waitUntil(p: Promise<unknown>): void; data?: unknown }) => void;

/** The service worker's global scope, with the pages open in `openPages`. */
function loadScript(fakeCaches: FakeCaches, state: { active: boolean; openPages: string[]; workerState?: string }): (type: string, data?: unknown) => Promise<void> {
  const listeners = new Map<string, Listener[]>();
  const self = {
    registration: {
      scope: SCOPE,
      get active() {
        return state.active ? {} : null;
      },
    },
    clients: { matchAll: () => Promise.resolve(state.openPages.map((id) => ({ id }))) },
    get serviceWorker() {
      return { state: state.workerState ?? 'activated' };
    },
    addEventListener: (type: string, listener: Listener) => listeners.set(type, [...(listeners.get(type) ?? []), listener]),
  };
  // Runs the shipped script itself, as importScripts would, with this scope's globals.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function('self', 'caches', SCRIPT) as (scope: typeof self, storage: FakeCaches) => void;
  run(self, fakeCaches);
  return async (type, data) => {
    const pending: Promise<unknown>[] = [];
    for (const listener of listeners.get(type) ?? []) listener({ waitUntil: (p) => pending.push(p), data });
    await Promise.all(pending);
  };
}

const OLD = ['assets/index-OLD.js', 'assets/ffmpeg.worker-OLD.js', 'assets/ffmpeg-core-SAME.wasm'].map((p) => SCOPE + p);
const PRUNE = { type: 'ffbatch-prune-previous-assets' };

describe('keep-previous-assets (service worker)', () => {
  let fakeCaches: FakeCaches;
  beforeEach(async () => {
    fakeCaches = new FakeCaches();
    const precache = (await fakeCaches.open(PRECACHE)) as { put(url: string, r: Response): Promise<void> };
    for (const url of OLD) await precache.put(url, new Response(`body of ${url}`));
    await precache.put(`${SCOPE}index.html?__WB_REVISION__=1`, new Response('<html>'));
  });

  it('the first install keeps nothing (there is no previous deployment)', async () => {
    const fire = loadScript(fakeCaches, { active: false, openPages: ['a'] });
    await fire('install');
    await fire('activate');
    expect(await fakeCaches.has('ffbatch-previous-assets')).toBe(false);
  });

  it('an update copies the running deployment’s assets/ files aside, and they outlive the precache clean-up', async () => {
    const fire = loadScript(fakeCaches, { active: true, openPages: ['old-tab-running-a-batch', 'tab-that-pressed-update'] });
    await fire('install');
    await fire('activate');
    // Workbox's activate drops the previous deployment's entries from the precache.
    fakeCaches.stores.get(PRECACHE)?.delete(`${SCOPE}assets/ffmpeg.worker-OLD.js`);
    const kept = fakeCaches.urls('ffbatch-previous-assets');
    expect(kept).toEqual([...OLD, `${SCOPE}ffbatch-previous-assets/open-pages.json`].sort());
    expect(fakeCaches.stores.get('ffbatch-previous-assets')?.get(`${SCOPE}assets/ffmpeg.worker-OLD.js`)).toBe(`body of ${SCOPE}assets/ffmpeg.worker-OLD.js`);
  });

  it('the copy stays while any page open at the update is open, and goes once none is', async () => {
    const state = { active: true, openPages: ['old-a', 'old-b'] };
    const fire = loadScript(fakeCaches, state);
    await fire('install');
    await fire('activate');
    state.openPages = ['old-a', 'new-b'];
    await fire('message', PRUNE);
    expect(await fakeCaches.has('ffbatch-previous-assets')).toBe(true);
    state.openPages = ['new-a', 'new-b'];
    await fire('message', { type: 'something-else' });
    expect(await fakeCaches.has('ffbatch-previous-assets')).toBe(true);
    await fire('message', PRUNE);
    expect(await fakeCaches.has('ffbatch-previous-assets')).toBe(false);
  });

  it('while an old page is open, files the new precache has too are dropped from the copy, but not during activation', async () => {
    const state = { active: true, openPages: ['old-a'], workerState: 'activating' };
    const fire = loadScript(fakeCaches, state);
    await fire('install');
    await fire('activate');
    // During activation the precache still lists every previous file: nothing may be dropped yet.
    await fire('message', PRUNE);
    expect(fakeCaches.urls('ffbatch-previous-assets')).toContain(`${SCOPE}assets/ffmpeg.worker-OLD.js`);
    // Workbox's activate drops the previous deployment's own files; the unchanged .wasm stays precached.
    const precache = fakeCaches.stores.get(PRECACHE);
    precache?.delete(`${SCOPE}assets/ffmpeg.worker-OLD.js`);
    precache?.delete(`${SCOPE}assets/index-OLD.js`);
    state.workerState = 'activated';
    await fire('message', PRUNE);
    expect(fakeCaches.urls('ffbatch-previous-assets')).toEqual([`${SCOPE}assets/ffmpeg.worker-OLD.js`, `${SCOPE}assets/index-OLD.js`, `${SCOPE}ffbatch-previous-assets/open-pages.json`]);
  });

  it('a copy that fails (storage full) never fails the update’s install', async () => {
    fakeCaches.full = true;
    const fire = loadScript(fakeCaches, { active: true, openPages: ['a'] });
    const warn = console.warn;
    console.warn = () => {};
    try {
      await expect(fire('install')).resolves.toBeUndefined();
    } finally {
      console.warn = warn;
    }
  });

  it('a second update while an old page is still open keeps both generations and every page', async () => {
    const state = { active: true, openPages: ['gen1-page'] };
    const fire = loadScript(fakeCaches, state);
    await fire('install');
    await fire('activate');
    const precache = (await fakeCaches.open(PRECACHE)) as { put(url: string, r: Response): Promise<void> };
    await precache.put(`${SCOPE}assets/ffmpeg.worker-GEN2.js`, new Response('gen2'));
    state.openPages = ['gen1-page', 'gen2-page'];
    await fire('install');
    await fire('activate');
    expect(fakeCaches.urls('ffbatch-previous-assets')).toContain(`${SCOPE}assets/ffmpeg.worker-OLD.js`);
    expect(fakeCaches.urls('ffbatch-previous-assets')).toContain(`${SCOPE}assets/ffmpeg.worker-GEN2.js`);
    state.openPages = ['gen2-page'];
    await fire('message', PRUNE);
    expect(await fakeCaches.has('ffbatch-previous-assets')).toBe(true);
  });
});

describe('updateAction (a tab facing a new deployment)', () => {
  const running = [{ state: 'done' }, { state: 'running' }];
  const idle = [{ state: 'done' }, { state: 'interrupted' }];

  it('never applies anything while a job is queued or running, in this tab or after another tab’s Update', () => {
    expect(updateAction({ takenOver: false, jobs: running, sourcesListed: 1 })).toBe('wait-for-batch');
    expect(updateAction({ takenOver: true, jobs: running, sourcesListed: 0 })).toBe('wait-for-batch');
    expect(updateAction({ takenOver: true, jobs: [{ state: 'queued' }], sourcesListed: 0 })).toBe('wait-for-batch');
  });

  it('a waiting deployment is only offered: its Update affects every tab, so it takes a click', () => {
    expect(updateAction({ takenOver: false, jobs: idle, sourcesListed: 0 })).toBe('offer');
  });

  it('taken over by another tab: reloads by itself once idle with nothing a reload would lose, else offers', () => {
    expect(updateAction({ takenOver: true, jobs: idle, sourcesListed: 0 })).toBe('reload');
    expect(updateAction({ takenOver: true, jobs: [], sourcesListed: 0 })).toBe('reload');
    expect(updateAction({ takenOver: true, jobs: idle, sourcesListed: 2 })).toBe('offer');
  });

  it('canApplyUpdate agrees', () => {
    expect(canApplyUpdate(running)).toBe(false);
    expect(canApplyUpdate(idle)).toBe(true);
  });
});
