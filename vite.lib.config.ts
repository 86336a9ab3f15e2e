/**
 * `npm run build:lib`: ffbatch as a library (src/index.ts) into lib/: one ESM module, the
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

/**
 * Library mode inlines every `?url` asset as a data URL (43 MB of base64 in the worker).
 * Here the worker's two core imports become paths relative to the worker script
 * (`assets/ffmpeg-core.js`, `.wasm`; the worker resolves them against its own URL), and
 * the files are copied there from the pinned @ffmpeg/core package.
 */
function coreAsFiles(): Plugin {
  return {
    name: 'ffbatch:lib-core-as-files',
    enforce: 'pre',
    resolveId(id) {
      return id in CORE_FILES ? PREFIX + CORE_FILES[id as keyof typeof CORE_FILES] : null;
    },
    load(id) {
      return id.startsWith(PREFIX) ? `export default ${JSON.stringify(`./assets/${id.slice(PREFIX.length)}`)};` : null;
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

export default defineConfig({
  base: './',
  plugins: [ffmpegCoreStackPlugin(), copyCore()],
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
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'ffbatch.js' },
  },
});
