/**
 * The real @ffmpeg/core (the very wasm the app serves) loaded in Node, for unit tests of
 * the worker's file systems: ffmpeg itself writes through them, as it does in the browser.
 * The core's glue is built for web and worker scopes only; a `self.location` is all it
 * needs from either, and the wasm is handed over as bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CreateFFmpegCore, FFmpegCoreModule } from '../../workers/ffmpeg/core';

const require = createRequire(import.meta.url);
// The package exports no package.json; its CommonJS entry sits in dist/umd beside dist/esm.
const CORE_DIR = path.join(path.dirname(require.resolve('@ffmpeg/core')), '..', 'esm');

export async function loadCoreInNode(): Promise<FFmpegCoreModule> {
  const scope = globalThis as { self?: unknown };
  scope.self ??= { location: { href: pathToFileURL(`${CORE_DIR}/`).href } };
  const module = (await import(pathToFileURL(path.join(CORE_DIR, 'ffmpeg-core.js')).href)) as { default: CreateFFmpegCore };
  return module.default({ wasmBinary: readFileSync(path.join(CORE_DIR, 'ffmpeg-core.wasm')) });
}
