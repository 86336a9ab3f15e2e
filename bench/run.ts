/**
 * npm run bench — ffbatch's throughput against native ffmpeg, in one run, as ratios.
 *
 *   npm run bench                              # everything (about 20 min on 2 cores)
 *   npm run bench -- --part batch --sources 2  # quick look while developing
 *
 * Flags: --part batch|long|all|drift|large (drift: one worker, one source × flv 14 times;
 *        large: 1.2 and 2.5 GB MP4s through mp4-remux against ffmpeg -c copy, with PSS;
 *        edit: a smart cut of 10 min in the middle of a 2.4 GB MP4, and its one-pass remux,
 *        against native -ss/-to -c copy and -c copy; edit-encode: --sources × 45 s 1080p
 *        trimmed to 20 s and cropped in the editor → mp4-h264-720p on Auto, ffmpeg-only and
 *        native (each job's own command);
 *        phone: --sources × 45 s 1080p H.264 → mp4-h264-720p by ?engine=auto and =ffmpeg
 *        against native; phone-workers: the same sources by ?engine=auto on 1, 2 and 3
 *        workers; fit: the same sources → mp4-fit-10mb and mp4-h264-1080p on Auto, ffmpeg-only
 *        and native (two-pass x264 for the size target): wall, size against 10 MB, PSNR; phone-qp: the same sources by ?engine=auto at H.264 target QPs 26.3, 23
 *        and 20 against native x264 (PSNR and size); none of these is in all)
 *        --sources N (60 s sources in the batch, default 8)
 *        --repeats N (medians)  --workers N (the "all workers" count; default: the
 *        browser's navigator.hardwareConcurrency)  --source-seconds N (length of the batch
 *        sources, default 60)  --skip-build (reuse bench/out/dist).
 * Writes bench/results.json, bench/speedup.svg, bench/timeline.svg. Never fails on a
 * figure: it reports what it measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Server } from 'node:http';
import { hardwareConcurrency, runApp, type AppRun } from './browser';
import { assignLanes, speedupChart, timelineChart, type TimelineGroup } from './charts';
import { makeInputs } from './inputs';
import { benchLarge } from './large';
import { benchEdit } from './edit';
import { benchFit } from './fit';
import { benchEditEncode } from './edit-encode';
import { benchPhone, benchPhoneQp, benchPhoneWorkers } from './phone';
import { runNative, schedulerOrder, type BenchJob, type NativeRun } from './native';
import { run, startForeignLoadMeter } from './proc';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(BENCH, '..');
const OUT = join(BENCH, 'out');
const DIST = join(OUT, 'dist');
const FIXTURES = resolve(REPO, '..', 'shared', 'fixtures');
const BATCH_PRESETS = ['flv-320x240', 'mp4-mpeg4-320x180'] as const;
const LONG_PRESET = 'mp4-h264-720p';
const DRIFT_JOBS = 14;
const PORT = Number(process.env['FFBATCH_BENCH_PORT'] ?? 4391);

interface Options {
  part: 'batch' | 'long' | 'all' | 'drift' | 'large' | 'edit' | 'phone' | 'phone-workers' | 'phone-qp' | 'fit' | 'edit-encode';
  sources: number;
  repeats: number;
  workers: number | null;
  skipBuild: boolean;
  sourceSeconds: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { part: 'all', sources: 8, repeats: 1, workers: null, skipBuild: false, sourceSeconds: 60 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const count = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number ≥ 1, got "${value}".`);
      i++;
      return n;
    };
    if (flag === '--part') {
      if (value !== 'batch' && value !== 'long' && value !== 'all' && value !== 'drift' && value !== 'large' && value !== 'edit' && value !== 'phone' && value !== 'phone-workers' && value !== 'phone-qp' && value !== 'fit' && value !== 'edit-encode') {
        throw new Error(`--part is batch, long, all, drift, large, edit, edit-encode, phone, phone-workers, phone-qp or fit; got "${value}".`);
      }
      options.part = value;
      i++;
    } else if (flag === '--sources') options.sources = count();
    else if (flag === '--repeats') options.repeats = count();
    else if (flag === '--workers') options.workers = count();
    else if (flag === '--source-seconds') options.sourceSeconds = count();
    else if (flag === '--skip-build') options.skipBuild = true;
    else throw new Error(`Unknown flag ${flag}. Flags: --part batch|long|all|drift|large|edit|edit-encode|phone|phone-workers|phone-qp|fit, --sources N, --repeats N, --workers N, --source-seconds N, --skip-build.`);
  }
  return options;
}

const started = performance.now();
function log(line: string): void {
  const t = ((performance.now() - started) / 1000).toFixed(0).padStart(5);
  console.log(`[${t} s] ${line}`);
}

function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

function round(n: number, digits = 2): number | null {
  return Number.isFinite(n) ? Number(n.toFixed(digits)) : null;
}

function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? round(a / b) : null;
}

function machine(chromiumVersion: string, browserCores: number): Record<string, unknown> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const ffmpeg = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  return {
    cpuModel: model,
    cores: cpus().length,
    browserHardwareConcurrency: browserCores,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    chromium: chromiumVersion,
    ffmpeg: ffmpeg.replace(/ Copyright.*/, ''),
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => round(x)),
    shared: 'The machine is shared with other test runs; foreignCores per measurement is the average CPU used by processes outside this benchmark.',
  };
}

/** The app's commit, and whether its sources differ from it (the build is of the working tree). */
function appCommit(): { commit: string; dirty: boolean } | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src', 'workers', 'index.html', 'vite.config.ts', 'package.json'], { cwd: REPO, encoding: 'utf8' });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return null;
  }
}

function appJsGzip(): { files: { name: string; bytes: number; gzipBytes: number }[]; totalGzipKiB: number | null } {
  const dir = join(DIST, 'assets');
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.js') && !name.startsWith('ffmpeg-core'))
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    });
  return { files, totalGzipKiB: round(files.reduce((n, f) => n + f.gzipBytes, 0) / 1024, 1) };
}

function summarizeApp(r: AppRun): Record<string, unknown> {
  return {
    workers: r.workers,
    wallSec: round(r.wallSec),
    error: r.error,
    coreLoadsMs: r.coreLoadsMs.map((x) => Math.round(x)),
    wasmFetches: r.wasmFetches,
    reloadCoreLoadsMs: r.reloadCoreLoadsMs.map((x) => Math.round(x)),
    peakPssMiB: round(r.peakPssMiB, 0),
    peakProcesses: r.peakProcesses,
    browserCpuSec: round(r.browserCpuSec, 1),
    benchCpuSec: round(r.benchCpuSec, 1),
    cpuByThread: r.cpuByThread,
    foreignCores: round(r.foreignCores),
    jobs: r.jobs.map((j) => ({
      source: j.sourceName,
      preset: j.presetId,
      state: j.state,
      error: j.error,
      startSec: round(j.startSec),
      endSec: round(j.endSec),
      ffmpegSec: round(j.execSec ?? NaN),
      slots: j.slots,
      ...(j.partsSec.length > 0 ? { partsSec: j.partsSec.map((x) => round(x)), joinSec: round(j.joinSec ?? NaN) } : {}),
    })),
  };
}

function nativeCpu(r: NativeRun): number {
  return r.jobs.every((j) => j.cpuSec !== null) ? r.jobs.reduce((n, j) => n + (j.cpuSec ?? 0), 0) : NaN;
}

function summarizeNative(r: NativeRun, foreignCores: number): Record<string, unknown> {
  return {
    processes: r.concurrency,
    threads: r.threads,
    wallSec: round(r.wallSec),
    cpuSec: round(nativeCpu(r), 1),
    foreignCores: round(foreignCores),
    jobs: r.jobs.map((j) => ({ source: basename(j.source), preset: j.presetId, startSec: round(j.startSec), endSec: round(j.endSec), cpuSec: round(j.cpuSec ?? NaN) })),
  };
}

type Bar = { start: number; end: number; label: string; preset: string; solid: { start: number; end: number }[] };

/**
 * A job as bars on worker lanes. A whole job: ffmpeg's time is drawn ending where the job
 * ends (only storing the output follows). A split job holds one lane per part for its
 * whole span: each part's ffmpeg time is drawn ending where the join starts, and the join
 * at the end of the first lane.
 */
function jobBars(r: AppRun): Bar[] {
  return r.jobs.flatMap((j): Bar[] => {
    const name = `${shortSource(j.sourceName)} ${j.presetId}`;
    if (j.partsSec.length === 0) {
      return [{ start: j.startSec, end: j.endSec, label: name, preset: j.presetId, solid: j.execSec ? [{ start: j.endSec - j.execSec, end: j.endSec }] : [] }];
    }
    const join = j.joinSec ?? 0;
    const partsEnd = j.endSec - join;
    return j.partsSec.map((sec, i) => ({
      start: j.startSec,
      end: j.endSec,
      label: `${name} part ${i + 1}/${j.partsSec.length}${i === 0 ? ' + join' : ''}`,
      preset: j.presetId,
      solid: [{ start: partsEnd - sec, end: partsEnd }, ...(i === 0 && join > 0 ? [{ start: partsEnd, end: j.endSec }] : [])],
    }));
  });
}

/** Where an app run's time goes: worker-seconds in ffmpeg, in jobs outside ffmpeg, and idle. */
function appBreakdown(r: AppRun): Record<string, number | null> {
  const done = r.jobs.filter((j) => j.state === 'done');
  const jobSec = done.reduce((n, j) => n + (j.endSec - j.startSec) * j.slots, 0);
  const execSec = done.reduce((n, j) => n + (j.execSec ?? 0), 0);
  const capacity = r.wallSec * r.workers;
  const placed = assignLanes(jobBars(r));
  const gaps: number[] = [];
  const lanes = Math.max(r.workers, ...placed.map((p) => p.lane + 1));
  for (let lane = 0; lane < lanes; lane++) {
    const bars = placed.filter((p) => p.lane === lane).map((p) => p.item);
    for (let i = 1; i < bars.length; i++) gaps.push((bars[i]?.start ?? 0) - (bars[i - 1]?.end ?? 0));
  }
  const firstStarts = done.map((j) => j.startSec);
  return {
    workerSecondsAvailable: round(capacity),
    inFfmpegSec: round(execSec),
    inJobsOutsideFfmpegSec: round(jobSec - execSec),
    idleSec: round(capacity - jobSec),
    shareInFfmpeg: round(execSec / capacity),
    splitJobs: done.filter((j) => j.slots > 1).length,
    maxGapBetweenJobsSec: gaps.length ? round(Math.max(...gaps)) : null,
    firstJobStartSec: firstStarts.length ? round(Math.min(...firstStarts)) : null,
  };
}

function perPreset(apps: readonly AppRun[], natives: readonly NativeRun[], presets: readonly string[]): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const preset of presets) {
    const appJobs = apps.flatMap((r) => r.jobs.filter((j) => j.presetId === preset && j.state === 'done'));
    const whole = appJobs.filter((j) => j.slots === 1);
    const split = appJobs.filter((j) => j.slots > 1);
    const nativeJobs = natives.flatMap((r) => r.jobs.filter((j) => j.presetId === preset));
    const wholeExec = median(whole.map((j) => j.execSec ?? NaN));
    const nativeWall = median(nativeJobs.map((j) => j.endSec - j.startSec));
    out[preset] = {
      wholeJobs: whole.length,
      wholeFfmpegSecMedian: round(wholeExec),
      wholeJobSecMedian: round(median(whole.map((j) => j.endSec - j.startSec))),
      splitJobs: split.length,
      splitJobSecMedian: round(median(split.map((j) => j.endSec - j.startSec))),
      splitFfmpegWorkerSecMedian: round(median(split.map((j) => j.execSec ?? NaN))),
      splitJoinSecMedian: round(median(split.map((j) => j.joinSec ?? NaN))),
      nativeSecMedian: round(nativeWall),
      nativeCpuSecMedian: round(median(nativeJobs.map((j) => j.cpuSec ?? NaN))),
      wasmOverNativePerJob: ratio(wholeExec, nativeWall),
    };
  }
  return out;
}

const PRESET_COLORS: Record<string, string> = { 'flv-320x240': '#2b7bb9', 'mp4-mpeg4-320x180': '#e07b24', 'mp4-h264-720p': '#3a9d4f' };

function timelineGroup(title: string, lanes: number, bars: readonly Bar[]): TimelineGroup {
  const placed = assignLanes(bars);
  return {
    title,
    lanes: Math.max(lanes, ...placed.map((p) => p.lane + 1)),
    bars: placed.map(({ lane, item }) => ({ lane, start: item.start, end: item.end, label: item.label, color: PRESET_COLORS[item.preset] ?? '#777', solid: item.solid })),
  };
}

function shortSource(name: string): string {
  return name.replace(/^source-/, '').replace(/\.avi$/, '');
}

function printTable(rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

function fmt(n: number | null | undefined, unit = ''): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : `${n}${unit}`;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  mkdirSync(OUT, { recursive: true });
  log(`options ${JSON.stringify(options)}`);

  if (!options.skipBuild || !existsSync(join(DIST, 'index.html'))) {
    // Built into bench/out/dist (not dist/) so a concurrent `npm run build` elsewhere cannot swap files under the server.
    log('building the app (vite build → bench/out/dist)');
    await run('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO });
  }
  const { serveStatic } = (await import(pathToFileURL(join(REPO, 'test', 'support', 'static-server.mjs')).href)) as {
    serveStatic: (root: string, port: number) => Promise<Server>;
  };
  const server = await serveStatic(DIST, PORT);
  let wasmFetches = 0;
  server.on('request', (req: { url?: string }) => {
    if (req.url?.endsWith('.wasm')) wasmFetches++;
  });
  const appRun = async (o: Parameters<typeof runApp>[0]): Promise<AppRun> => {
    wasmFetches = 0;
    const r = await runApp(o);
    r.wasmFetches = wasmFetches;
    return r;
  };
  const baseUrl = `http://127.0.0.1:${PORT}/`;

  const probe = await hardwareConcurrency();
  const workersN = options.workers ?? probe.cores;
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  const results: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    options: { ...options, workers: workersN },
    app: appCommit(),
    machine: machine(probe.version, probe.cores),
  };
  log(`machine: ${JSON.stringify(results['machine'])}`);

  if (options.part === 'edit') {
    // FFBATCH_BENCH_EDIT_INPUT: an input made before (the same recipe), to skip making it again.
    results['edit'] = await benchEdit({ fixture: join(FIXTURES, 'flower.mp4'), bytes: 2.4e9, input: process.env['FFBATCH_BENCH_EDIT_INPUT'], log });
    writeFileSync(join(BENCH, 'edit.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }

  if (options.part === 'large') {
    // Its own results file: the batch/long figures in results.json stay as they were measured.
    results['large'] = await benchLarge({ baseUrl, fixture: join(FIXTURES, 'flower.mp4'), sizes: [1.2e9, 2.5e9], log });
    writeFileSync(join(BENCH, 'large.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }

  if (options.part === 'phone-workers') {
    results['phoneWorkers'] = await benchPhoneWorkers({ baseUrl, fixturesDir: FIXTURES, outDir: OUT, sources: options.sources, log });
    writeFileSync(join(BENCH, 'phone-workers.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }
  if (options.part === 'phone-qp') {
    results['phoneQp'] = await benchPhoneQp({ baseUrl, fixturesDir: FIXTURES, outDir: OUT, sources: options.sources, workers: workersN, log });
    writeFileSync(join(BENCH, 'phone-qp.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }
  if (options.part === 'edit-encode') {
    results['editEncode'] = await benchEditEncode({ baseUrl, fixturesDir: FIXTURES, outDir: OUT, sources: options.sources, workers: workersN, log });
    writeFileSync(join(BENCH, 'edit-encode.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }
  if (options.part === 'fit') {
    results['fit'] = await benchFit({ baseUrl, fixturesDir: FIXTURES, outDir: OUT, sources: options.sources, workers: workersN, log });
    writeFileSync(join(BENCH, 'fit.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }
  if (options.part === 'phone') {
    results['phone'] = await benchPhone({ baseUrl, fixturesDir: FIXTURES, outDir: OUT, sources: options.sources, workers: workersN, log });
    writeFileSync(join(BENCH, 'phone.json'), `${JSON.stringify(results, null, 2)}\n`);
    server.close();
    return;
  }

  log('making inputs with native ffmpeg (cached in bench/out/inputs)');
  const inputs = await makeInputs({ fixtures: FIXTURES, dir: join(OUT, 'inputs'), sources: options.part === 'long' || options.part === 'drift' ? 1 : options.sources, sourceSeconds: options.sourceSeconds, ffmpegVersion, log });
  results['inputs'] = {
    recipe: 'AVI, MPEG-4 Part 2 (XVID tag) 704×544 25 fps 2000 kb/s, MP3 48 kHz stereo 128 kb/s; real footage (fixtures reel, looped)',
    reelSec: round(inputs.reelSeconds),
    batch: inputs.batch.map((f) => ({ name: basename(f), bytes: readFileSync(f).length })),
    long: { name: basename(inputs.long), bytes: readFileSync(inputs.long).length },
  };

  const allAppRuns: AppRun[] = [];

  if (options.part === 'batch' || options.part === 'all') {
    const batchJobs: BenchJob[] = inputs.batch.flatMap((source) => BATCH_PRESETS.map((presetId) => ({ source, presetId })));
    const ordered = await schedulerOrder(batchJobs);
    const natives1: NativeRun[] = [];
    const nativesN: NativeRun[] = [];
    const apps1: AppRun[] = [];
    const appsN: AppRun[] = [];
    const nativeRaw: Record<string, unknown>[] = [];
    for (let rep = 1; rep <= options.repeats; rep++) {
      for (const processes of [1, workersN]) {
        log(`batch ${rep}/${options.repeats}: native ffmpeg, ${batchJobs.length} jobs, -threads 1, ${processes} process(es) at a time`);
        const meter = startForeignLoadMeter();
        const r = await runNative(ordered, { concurrency: processes, threads: '1', outDir: join(OUT, 'native') });
        const { foreignCores } = meter.stop();
        (processes === 1 ? natives1 : nativesN).push(r);
        nativeRaw.push(summarizeNative(r, foreignCores));
        log(`  → ${r.wallSec.toFixed(1)} s, ${nativeCpu(r).toFixed(1)} CPU s (other load on the machine: ${foreignCores.toFixed(2)} cores)`);
      }
      for (const workers of [1, workersN]) {
        log(`batch ${rep}/${options.repeats}: ffbatch, ${batchJobs.length} jobs, ${workers} worker(s)`);
        const r = await appRun({
          baseUrl,
          files: inputs.batch,
          presets: BATCH_PRESETS,
          workers,
          timeoutMs: 30 * 60_000,
          ...(rep === 1 && workers === workersN ? { reloads: 2, reloadProbeFile: inputs.batch[0] } : {}),
        });
        (workers === 1 ? apps1 : appsN).push(r);
        allAppRuns.push(r);
        log(
          `  → ${r.wallSec.toFixed(1)} s, ${r.browserCpuSec.toFixed(0)} CPU s, peak PSS ${r.peakPssMiB.toFixed(0)} MiB, core loads ${r.coreLoadsMs.map((x) => x.toFixed(0)).join('/')} ms (${r.wasmFetches} .wasm fetches), other load ${r.foreignCores.toFixed(2)} cores${r.error ? `, ERROR: ${r.error}` : ''}`,
        );
      }
    }
    const app1 = median(apps1.map((r) => r.wallSec));
    const appN = median(appsN.map((r) => r.wallSec));
    const nat1 = median(natives1.map((r) => r.wallSec));
    const natN = median(nativesN.map((r) => r.wallSec));
    const lastApp1 = apps1[0];
    const lastAppN = appsN[0];
    results['batch'] = {
      jobs: batchJobs.length,
      sources: inputs.batch.length,
      presets: BATCH_PRESETS,
      workers: workersN,
      repeats: options.repeats,
      wallSec: { ffbatch1: round(app1), ffbatchN: round(appN), native1: round(nat1), nativeN: round(natN) },
      ratios: {
        speedupFfbatchNOver1: ratio(app1, appN),
        speedupNativeNOver1: ratio(nat1, natN),
        ffbatchNOverNativeN: ratio(appN, natN),
        ffbatch1OverNative1: ratio(app1, nat1),
      },
      // CPU seconds spent on the whole batch: robust to other work on a shared machine, unlike wall time.
      cpuSec: {
        ffbatch1: round(median(apps1.map((r) => r.browserCpuSec)), 1),
        ffbatchN: round(median(appsN.map((r) => r.browserCpuSec)), 1),
        native: round(median([...natives1, ...nativesN].map(nativeCpu)), 1),
        ffbatch1OverNative: ratio(median(apps1.map((r) => r.browserCpuSec)), median([...natives1, ...nativesN].map(nativeCpu))),
        ffbatchNOverNative: ratio(median(appsN.map((r) => r.browserCpuSec)), median([...natives1, ...nativesN].map(nativeCpu))),
      },
      foreignCoresMedian: round(median([...apps1, ...appsN].map((r) => r.foreignCores))),
      perPreset: perPreset([...apps1, ...appsN], [...natives1, ...nativesN], BATCH_PRESETS),
      breakdown: { ffbatch1: lastApp1 ? appBreakdown(lastApp1) : null, ffbatchN: lastAppN ? appBreakdown(lastAppN) : null },
      peakPssMiB: { ffbatch1: round(Math.max(...apps1.map((r) => r.peakPssMiB)), 0), ffbatchN: round(Math.max(...appsN.map((r) => r.peakPssMiB)), 0) },
      runs: { ffbatch: [...apps1, ...appsN].map(summarizeApp), native: nativeRaw },
    };

    // Charts from the first repeat.
    const groups: TimelineGroup[] = [];
    if (lastApp1) groups.push(timelineGroup(`ffbatch, 1 worker: ${lastApp1.wallSec.toFixed(1)} s`, 1, jobBars(lastApp1)));
    if (lastAppN) groups.push(timelineGroup(`ffbatch, ${workersN} workers: ${lastAppN.wallSec.toFixed(1)} s`, workersN, jobBars(lastAppN)));
    const n0 = nativesN[0];
    if (n0) {
      groups.push(
        timelineGroup(
          `native ffmpeg, ${workersN} × -threads 1: ${n0.wallSec.toFixed(1)} s`,
          workersN,
          n0.jobs.map((j) => ({ start: j.startSec, end: j.endSec, label: `${shortSource(basename(j.source))} ${j.presetId}`, preset: j.presetId, solid: [{ start: j.startSec, end: j.endSec }] })),
        ),
      );
    }
    writeFileSync(
      join(BENCH, 'timeline.svg'),
      timelineChart({
        title: `Batch timeline: ${batchJobs.length} jobs (${inputs.batch.length} × ${options.sourceSeconds} s AVI × 2 presets)`,
        subtitle: `lanes assigned greedily from each job's startedAt/endedAt (window.ffbatchStats) · ${String((results['machine'] as Record<string, unknown>)['cpuModel'])}, ${probe.cores} cores`,
        groups,
        legend: BATCH_PRESETS.map((p) => ({ label: p, color: PRESET_COLORS[p] ?? '#777' })),
        note: 'solid: ffmpeg running (time= ÷ speed=, placed at the end of the job or part) · pale: rest of the job (core wait, other part, storing)',
      }),
    );
  }

  if (options.part === 'drift') {
    // One worker, one source, one preset, DRIFT_JOBS times over: does an instance slow down
    // over consecutive jobs, and what does the pool's recycling (after 12 tasks) do?
    const source = inputs.batch[0] as string;
    log(`drift: ffbatch, 1 worker, ${basename(source)} × flv-320x240, ${DRIFT_JOBS} times`);
    const r = await appRun({ baseUrl, files: Array.from({ length: DRIFT_JOBS }, () => source), presets: ['flv-320x240'], workers: 1, timeoutMs: 30 * 60_000 });
    const jobs = [...r.jobs].sort((a, b) => a.startSec - b.startSec);
    const native = await runNative([{ source, presetId: 'flv-320x240' }], { concurrency: 1, threads: '1', outDir: join(OUT, 'native-drift') });
    results['drift'] = {
      source: basename(source),
      preset: 'flv-320x240',
      jobSecByPosition: jobs.map((j) => round(j.endSec - j.startSec)),
      ffmpegSecByPosition: jobs.map((j) => round(j.execSec ?? NaN)),
      nativeSec: round(native.wallSec),
      coreLoadsMs: r.coreLoadsMs.map((x) => Math.round(x)),
      cpuByThread: r.cpuByThread,
      foreignCores: round(r.foreignCores),
      error: r.error,
    };
    log(`  → job seconds by position: ${jobs.map((j) => (j.endSec - j.startSec).toFixed(1)).join(' ')} (native ${native.wallSec.toFixed(1)} s)`);
  }

  if (options.part === 'long' || options.part === 'all') {
    const longJob: BenchJob[] = [{ source: inputs.long, presetId: LONG_PRESET }];
    const apps1: AppRun[] = [];
    const appsN: AppRun[] = [];
    const natives: Record<string, unknown>[] = [];
    const native1: number[] = [];
    const nativeAuto: number[] = [];
    const nativeCpu1: number[] = [];
    for (let rep = 1; rep <= options.repeats; rep++) {
      for (const workers of [1, workersN]) {
        log(`long ${rep}/${options.repeats}: ffbatch, 214 s → ${LONG_PRESET}, ${workers} worker(s)`);
        const r = await appRun({ baseUrl, files: [inputs.long], presets: [LONG_PRESET], workers, timeoutMs: 40 * 60_000 });
        (workers === 1 ? apps1 : appsN).push(r);
        allAppRuns.push(r);
        log(`  → ${r.wallSec.toFixed(1)} s, ${r.browserCpuSec.toFixed(0)} CPU s, peak PSS ${r.peakPssMiB.toFixed(0)} MiB, other load ${r.foreignCores.toFixed(2)} cores${r.error ? `, ERROR: ${r.error}` : ''}`);
      }
      for (const threads of ['1', 'auto'] as const) {
        log(`long ${rep}/${options.repeats}: native ffmpeg, threads ${threads}`);
        const meter = startForeignLoadMeter();
        const r = await runNative(longJob, { concurrency: 1, threads, outDir: join(OUT, 'native-long') });
        const { foreignCores } = meter.stop();
        (threads === '1' ? native1 : nativeAuto).push(r.wallSec);
        if (threads === '1') nativeCpu1.push(nativeCpu(r));
        natives.push(summarizeNative(r, foreignCores));
        log(`  → ${r.wallSec.toFixed(1)} s, ${nativeCpu(r).toFixed(1)} CPU s, other load ${foreignCores.toFixed(2)} cores`);
      }
    }
    const app1 = median(apps1.map((r) => r.wallSec));
    const appN = median(appsN.map((r) => r.wallSec));
    results['long'] = {
      source: basename(inputs.long),
      preset: LONG_PRESET,
      workers: workersN,
      repeats: options.repeats,
      wallSec: { ffbatch1: round(app1), ffbatchN: round(appN), nativeThreads1: round(median(native1)), nativeThreadsAuto: round(median(nativeAuto)) },
      ratios: {
        speedupFfbatchNOver1: ratio(app1, appN),
        ffbatchNOverNativeThreads1: ratio(appN, median(native1)),
        ffbatchNOverNativeThreadsAuto: ratio(appN, median(nativeAuto)),
      },
      cpuSec: {
        ffbatch1: round(median(apps1.map((r) => r.browserCpuSec)), 1),
        ffbatchN: round(median(appsN.map((r) => r.browserCpuSec)), 1),
        nativeThreads1: round(median(nativeCpu1), 1),
      },
      splitParts: appsN[0]?.jobs[0]?.slots ?? null,
      peakPssMiB: { ffbatch1: round(Math.max(...apps1.map((r) => r.peakPssMiB)), 0), ffbatchN: round(Math.max(...appsN.map((r) => r.peakPssMiB)), 0) },
      runs: { ffbatch: [...apps1, ...appsN].map(summarizeApp), native: natives },
    };
  }

  // Core loads: the first of each fresh profile is cold; later ones in the page, and after a reload, are warm.
  const cold = allAppRuns.map((r) => r.coreLoadsMs[0] ?? NaN);
  const warmInPage = allAppRuns.flatMap((r) => r.coreLoadsMs.slice(1));
  const warmReload = allAppRuns.flatMap((r) => r.reloadCoreLoadsMs);
  results['coreLoad'] = {
    coldMsMedian: round(median(cold), 0),
    warmInPageMsMedian: round(median(warmInPage), 0),
    warmAfterReloadMsMedian: round(median(warmReload), 0),
    coldMs: cold.map((x) => Math.round(x)),
    warmInPageMs: warmInPage.map((x) => Math.round(x)),
    warmAfterReloadMs: warmReload.map((x) => Math.round(x)),
    note: 'window.ffbatchStats.coreLoads: probe and encode workers both count; in-page loads start together, so the second worker compiles alongside the first.',
  };
  const js = appJsGzip();
  results['appJavaScript'] = { ...js, gzip: 'node:zlib level 9', excludes: 'ffmpeg-core*.js (the core)' };
  results['machine'] = { ...(results['machine'] as Record<string, unknown>), loadAverageAtEnd: loadavg().map((x) => round(x)) };
  results['benchSeconds'] = round((performance.now() - started) / 1000, 0);

  // Speed-up chart: whatever was measured in this run.
  const series = [];
  const b = results['batch'] as { ratios: Record<string, number | null> } | undefined;
  const l = results['long'] as { ratios: Record<string, number | null> } | undefined;
  if (b?.ratios['speedupFfbatchNOver1'] != null) series.push({ label: 'ffbatch, batch', color: '#2b7bb9', points: [[1, 1], [workersN, b.ratios['speedupFfbatchNOver1']]] as [number, number][] });
  if (b?.ratios['speedupNativeNOver1'] != null) series.push({ label: 'native ffmpeg, batch', color: '#888', points: [[1, 1], [workersN, b.ratios['speedupNativeNOver1']]] as [number, number][] });
  if (l?.ratios['speedupFfbatchNOver1'] != null) series.push({ label: 'ffbatch, one 214 s file', color: '#3a9d4f', points: [[1, 1], [workersN, l.ratios['speedupFfbatchNOver1']]] as [number, number][] });
  if (series.length > 0) {
    writeFileSync(
      join(BENCH, 'speedup.svg'),
      speedupChart({
        title: 'Throughput speed-up against worker count',
        subtitle: `wall time with 1 worker ÷ wall time with N · ${probe.cores} cores · ${new Date().toISOString().slice(0, 10)}`,
        maxWorkers: workersN,
        series,
      }),
    );
  }
  // A drift check is a diagnosis, not the benchmark: it keeps out of bench/results.json.
  const resultsPath = options.part === 'drift' ? join(OUT, 'drift.json') : join(BENCH, 'results.json');
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  server.close();

  // The compact table.
  console.log(`\nffbatch bench — ${resultsPath.slice(REPO.length + 1)}`);
  const rows: [string, string][] = [];
  const bw = (results['batch'] as { wallSec: Record<string, number | null>; ratios: Record<string, number | null>; peakPssMiB: Record<string, number | null> } | undefined) ?? null;
  if (bw) {
    rows.push([`batch ${String((results['batch'] as { jobs: number }).jobs)} jobs: ffbatch 1 / ${workersN} workers`, `${fmt(bw.wallSec['ffbatch1'], ' s')} / ${fmt(bw.wallSec['ffbatchN'], ' s')}`]);
    rows.push([`batch: native -threads 1, 1 / ${workersN} processes`, `${fmt(bw.wallSec['native1'], ' s')} / ${fmt(bw.wallSec['nativeN'], ' s')}`]);
    rows.push([`batch speed-up ffbatch ${workersN}÷1 (native)`, `${fmt(bw.ratios['speedupFfbatchNOver1'], '×')} (${fmt(bw.ratios['speedupNativeNOver1'], '×')})`]);
    rows.push([`batch ffbatch÷native, ${workersN} workers (1 worker)`, `${fmt(bw.ratios['ffbatchNOverNativeN'])} (${fmt(bw.ratios['ffbatch1OverNative1'])})`]);
    const bc = (results['batch'] as { cpuSec: Record<string, number | null> }).cpuSec;
    rows.push([`batch CPU s: ffbatch 1 / ${workersN} workers / native`, `${fmt(bc['ffbatch1'])} / ${fmt(bc['ffbatchN'])} / ${fmt(bc['native'])} → ${fmt(bc['ffbatch1OverNative'])} / ${fmt(bc['ffbatchNOverNative'])}`]);
    rows.push([`peak browser PSS, 1 / ${workersN} workers`, `${fmt(bw.peakPssMiB['ffbatch1'], ' MiB')} / ${fmt(bw.peakPssMiB['ffbatchN'], ' MiB')}`]);
  }
  const lw = (results['long'] as { wallSec: Record<string, number | null>; ratios: Record<string, number | null> } | undefined) ?? null;
  if (lw) {
    rows.push([`long 214 s ${LONG_PRESET}: ffbatch 1 / ${workersN} workers`, `${fmt(lw.wallSec['ffbatch1'], ' s')} / ${fmt(lw.wallSec['ffbatchN'], ' s')} → ${fmt(lw.ratios['speedupFfbatchNOver1'], '×')}`]);
    rows.push(['long: native -threads 1 / default threads', `${fmt(lw.wallSec['nativeThreads1'], ' s')} / ${fmt(lw.wallSec['nativeThreadsAuto'], ' s')}`]);
  }
  const cl = results['coreLoad'] as Record<string, number | null>;
  rows.push(['core load cold / warm in page / after reload', `${fmt(cl['coldMsMedian'], ' ms')} / ${fmt(cl['warmInPageMsMedian'], ' ms')} / ${fmt(cl['warmAfterReloadMsMedian'], ' ms')}`]);
  rows.push(['app JavaScript (gzip, without the core)', `${fmt(js.totalGzipKiB, ' KiB')}`]);
  rows.push(['bench time', `${fmt(results['benchSeconds'] as number, ' s')}`]);
  printTable(rows);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
