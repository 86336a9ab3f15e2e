/**
 * A bare page for test/e2e/smart-cut.spec.ts: one pool worker and runSmartCut, as the job runner
 * will call it, without the page's job plumbing. `window.smartCut(trim)` cuts the picked file and
 * answers with the result; the output is offered as a download named out.mp4.
 */
import { WorkerPool } from '../../../src/pool/worker-pool';
import { runSmartCut } from '../../../src/jobs/smart-cut';
import type { SmartCutResult } from '../../../workers/protocol';

const pool = new WorkerPool({ size: 1, createWorker: () => new Worker(new URL('../../../workers/ffmpeg.worker.ts', import.meta.url), { type: 'module', name: 'ffmpeg' }) });
const picker = document.querySelector('input[type=file]') as HTMLInputElement;

interface Answer {
  result: SmartCutResult | null;
  log: string[];
  wallMs: number;
  error?: string;
}

async function smartCut(trim: { start: number; end: number | null } | null): Promise<Answer> {
  const file = picker.files?.[0];
  if (!file) throw new Error('no file picked');
  const log: string[] = [];
  const started = performance.now();
  try {
    const cut = await runSmartCut(pool, {
      input: { name: 'source.mp4', data: file },
      trim,
      output: 'out.mp4',
      scratchFolder: ['smart-cut-test', String(Date.now())],
      onProgress: () => {},
      onLog: (lines) => void log.push(...lines),
    });
    const wallMs = performance.now() - started;
    if (!cut) return { result: null, log, wallMs };
    const { output, ...result } = cut;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(output);
    link.download = 'out.mp4';
    link.textContent = 'out.mp4';
    document.body.append(link);
    return { result, log, wallMs };
  } catch (error) {
    return { result: null, log, wallMs: performance.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

(window as unknown as { smartCut: typeof smartCut }).smartCut = smartCut;
