/**
 * The bare smart-cut page (test/fixtures-site/smart-cut/: one pool worker and runSmartCut) built
 * with Vite into a folder and served by the plain static server: for test/e2e/smart-cut.spec.ts
 * and the benchmark's `edit` part, neither of which needs the app's job plumbing.
 */
import path from 'node:path';
import { build } from 'vite';
import { ffmpegCoreStackPlugin } from '../../scripts/ffmpeg-core-exports';
import { serveFolder, type ServedFolder } from './served-folder';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What `window.smartCut(trim)` answers on that page. */
export interface SmartCutAnswer {
  result: { mode: string; startSec: number; durationSec: number; encodedFrames: number; copiedVideoPackets: number; note: string | null } | null;
  log: string[];
  wallMs: number;
  error?: string;
}

/** Builds the page into `outDir` and serves it on a free port; the origin and a closer. */
export async function serveSmartCutSite(outDir: string): Promise<ServedFolder> {
  await build({
    configFile: false,
    logLevel: 'warn',
    root: path.join(ROOT, 'test/fixtures-site/smart-cut'),
    base: './',
    plugins: [ffmpegCoreStackPlugin()],
    worker: { format: 'es', plugins: () => [ffmpegCoreStackPlugin()] },
    optimizeDeps: { exclude: ['@ffmpeg/core'] },
    build: { outDir, emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0, chunkSizeWarningLimit: 50_000 },
  });
  return serveFolder(outDir);
}
