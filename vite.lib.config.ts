/**
 * `npm run build:lib`: ffbatch as a library (src/index.ts) into lib/: one ESM module (and
 * `lib/uppy.js`, the `ffbatch/uppy` entry), the
 * ffmpeg worker as `lib/ffmpeg.worker.js` (a stable name, for `assetsURL`) and the ffmpeg
 * core's glue and .wasm in `lib/assets/`, all found relative to the module that loads them.
 * Types: `tsc -p tsconfig.lib.json` (declarations only) into lib/types/.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { ffmpegCoreStackPlugin } from './scripts/ffmpeg-core-exports';

const CORE_FILES = { '@ffmpeg/core?url': 'ffmpeg-core.js', '@ffmpeg/core/wasm?url': 'ffmpeg-core.wasm' } as const;
const PREFIX = '\0ffbatch-core-file:';

const MARK = '__ffbatch_lib_asset__/';

/**
 * Library mode inlines every `?url` asset as a data URL (43 MB of base64 in the worker).
 * Here the worker's two core imports become a marker string, and the finished worker gets
 * `new URL("./assets/ffmpeg-core.js", import.meta.url)` in its place: relative to the worker
 * itself where the site serves lib/ as it is (`assetsURL`), and the pattern Vite and webpack 5
 * recognise when a site's build bundles the package, so they copy the core with no
 * configuration. (The pattern cannot go in as source: this very build would inline it.)
 */
function coreAsFiles(): Plugin {
  return {
    name: 'ffbatch:lib-core-as-files',
    enforce: 'pre',
    resolveId(id) {
      return id in CORE_FILES ? PREFIX + CORE_FILES[id as keyof typeof CORE_FILES] : null;
    },
    load(id) {
      return id.startsWith(PREFIX) ? `export default ${JSON.stringify(MARK + id.slice(PREFIX.length))};` : null;
    },
    generateBundle(_, bundle) {
      const worker = bundle['ffmpeg.worker.js'];
      if (worker?.type !== 'chunk') return;
      const marks = new RegExp(`([\`"'])${MARK}([\\w.-]+)\\1`, 'g');
      const found = worker.code.match(marks)?.length ?? 0;
      if (found !== Object.keys(CORE_FILES).length) throw new Error(`ffbatch:lib-core-as-files: ${found} core references in the worker, expected ${Object.keys(CORE_FILES).length}.`);
      worker.code = worker.code.replace(marks, (_match, _quote: string, name: string) => `new URL(${JSON.stringify(`./assets/${name}`)}, import.meta.url).href`);
    },
  };
}

/**
 * Vite writes the library's `new Worker(new URL('…/ffmpeg.worker.ts', import.meta.url))` as a
 * nested `new URL(new URL("ffmpeg.worker.js", import.meta.url).href, "" + import.meta.url)`,
 * which no bundler recognises as a worker. Put back the plain pattern, so a site's Vite or
 * webpack bundles the worker (and, through it, the core) by itself.
 */
function plainWorkerURL(): Plugin {
  const nested = /new URL\(\s*(?:\/\*\s*@vite-ignore\s*\*\/\s*)?new URL\("ffmpeg\.worker\.js", import\.meta\.url\)\.href,\s*"" \+ import\.meta\.url\s*\)/g;
  return {
    name: 'ffbatch:lib-plain-worker-url',
    apply: 'build',
    generateBundle(_, bundle) {
      const main = bundle['ffbatch.js'];
      if (main?.type !== 'chunk') return;
      const found = main.code.match(nested)?.length ?? 0;
      if (found !== 1) throw new Error(`ffbatch:lib-plain-worker-url: ${found} worker URLs in ffbatch.js, expected 1 (did Vite change how it writes them?).`);
      main.code = main.code.replace(nested, 'new URL("./ffmpeg.worker.js", import.meta.url)');
    },
  };
}

function copyCore(): Plugin {
  return {
    name: 'ffbatch:lib-copy-core',
    apply: 'build',
    async closeBundle() {
      // require() resolves the UMD build (dist/umd); the worker imports the ES module beside it (dist/esm).
      const core = join(dirname(createRequire(import.meta.url).resolve('@ffmpeg/core/wasm')), '..', 'esm');
      await mkdir('lib/assets', { recursive: true });
      for (const name of Object.values(CORE_FILES)) await copyFile(join(core, name), join('lib/assets', name));
    },
  };
}

/**
 * `ffbatch/uppy` (lib/uppy.js) imports the library by its public name, so a site bundles one
 * copy of the encoder whichever entries it imports; Uppy is the site's own (a peer dependency).
 */
function uppyEntryExternals(): Plugin {
  return {
    name: 'ffbatch:lib-uppy-externals',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('@uppy/')) return { id: source, external: true };
      if (importer && /[/\\]src[/\\]uppy[/\\]/.test(importer) && source === '../index') return { id: 'ffbatch', external: true };
      return null;
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [uppyEntryExternals(), ffmpegCoreStackPlugin(), copyCore(), plainWorkerURL()],
  worker: {
    format: 'es',
    plugins: () => [coreAsFiles(), ffmpegCoreStackPlugin()],
    rollupOptions: { output: { entryFileNames: '[name].js', chunkFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' } },
  },
  publicDir: false,
  build: {
    outDir: 'lib',
    emptyOutDir: true,
    target: 'es2022',
    // The core (.wasm 32 MB, .js 110 KB) is copied as a file, never inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 200,
    lib: { entry: { ffbatch: 'src/index.ts', uppy: 'src/uppy/index.ts' }, formats: ['es'], fileName: (_format, name) => `${name}.js` },
  },
});
