/**
 * Build-time knowledge of @ffmpeg/core's glue code. The core does not export its stack
 * functions by name, only as minified wasm exports ("Da", "Ea" in 0.12.10); the worker needs
 * them to give every run a larger stack (see workers/ffmpeg.worker.ts). Vite reads the glue
 * once at build time through this and hands the names to the worker as a virtual module, so
 * the worker never fetches and parses its own core at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

export interface CoreStackExports {
  stackSave: string;
  stackRestore: string;
}

/** The wasm export names the glue gives `stackSave` and `stackRestore`. Throws where it has none. */
export function coreStackExports(glue: string): CoreStackExports {
  const exportName = (fn: string): string => {
    const name = new RegExp(`${fn}=Module\\["asm"\\]\\["(\\w+)"\\]`).exec(glue)?.[1];
    if (!name) throw new Error(`@ffmpeg/core's glue has no ${fn} export where ffbatch expects it: check the pinned core version.`);
    return name;
  };
  return { stackSave: exportName('stackSave'), stackRestore: exportName('stackRestore') };
}

/** The ES module glue of the installed core. */
export function coreGlue(): string {
  const require = createRequire(import.meta.url);
  // The package exports no package.json; its CommonJS entry sits in dist/umd beside dist/esm.
  const esm = path.join(path.dirname(require.resolve('@ffmpeg/core')), '..', 'esm', 'ffmpeg-core.js');
  return readFileSync(esm, 'utf8');
}

const VIRTUAL_ID = 'virtual:ffmpeg-core-stack';

/** Serves `virtual:ffmpeg-core-stack`: `export default { stackSave, stackRestore }`. */
export function ffmpegCoreStackPlugin(): Plugin {
  return {
    name: 'ffbatch-ffmpeg-core-stack',
    resolveId: (id) => (id === VIRTUAL_ID ? `\0${VIRTUAL_ID}` : null),
    load: (id) => (id === `\0${VIRTUAL_ID}` ? `export default ${JSON.stringify(coreStackExports(coreGlue()))};` : null),
  };
}
