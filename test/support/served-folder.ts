/**
 * A folder served by the plain static server (test/support/static-server.mjs) on a free port
 * of its own, so the app's server keeps FFBATCH_E2E_PORT: for the scratch sites, the library
 * page and the deployments the update tests replace.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServedFolder {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  /** Ends open connections too (a page's service worker may hold one), then stops listening. */
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 at a free port. */
export async function serveFolder(root: string): Promise<ServedFolder> {
  const { serveStatic } = (await import(pathToFileURL(path.join(ROOT, 'test/support/static-server.mjs')).href)) as { serveStatic: (root: string, port: number) => Promise<Server> };
  const server = await serveStatic(root, 0);
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
