import { defineConfig } from 'vite';
import { ffmpegCoreStackPlugin } from './scripts/ffmpeg-core-exports';
import { pwaPlugin } from './scripts/pwa';

export default defineConfig({
  // Relative URLs: dist/ works from any folder of any plain static host.
  base: './',
  // pwaPlugin: the service worker and manifest that make the page work offline (scripts/pwa.ts).
  plugins: [ffmpegCoreStackPlugin(), pwaPlugin()],
  // Workers are bundled apart: they get the plugin of their own.
  worker: { format: 'es', plugins: () => [ffmpegCoreStackPlugin()] },
  optimizeDeps: {
    // The ffmpeg packages load their core at run time; pre-bundling breaks those URLs.
    exclude: ['@ffmpeg/core'],
  },
  build: {
    target: 'es2022',
    // The core (.wasm 32 MB, .js 110 KB) is copied as a file, never inlined.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 200,
  },
});
