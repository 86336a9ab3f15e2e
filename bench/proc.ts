/** Child processes and /proc readings (Linux) for the benchmark. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface RunOutput {
  stdout: string;
  stderr: string;
}

/** Runs a command to the end; rejects with its stderr tail when it exits non-zero. */
export function run(command: string, args: readonly string[], options: { cwd?: string; inherit?: boolean } = {}): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.slice(0, 6).join(' ')} … exited with ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

const CLK_TCK = 100;

function statFields(pid: number | 'self'): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: split after the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    const ppid = Number(fields?.[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

function exeOf(pid: number): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

/** Proportional set size (KiB) of one process, from smaps_rollup; 0 when it is gone. */
function pssKiB(pid: number, field: 'Pss' | 'Pss_Anon' | 'Pss_File' | 'Pss_Shmem' = 'Pss'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export interface BrowserSample {
  peakMiB: number;
  peakProcesses: number;
  samples: number;
  /** CPU seconds used by the Chromium processes while sampling. */
  browserCpuSec: number;
  /** CPU seconds used by this process (Playwright's client, this sampler) meanwhile. */
  selfCpuSec: number;
  /** Average cores used by everything else on the machine meanwhile. */
  foreignCores: number;
  seconds: number;
  /** CPU seconds by Chromium process type and thread name, e.g. "renderer/DedicatedWorker". */
  cpuByThread: Record<string, number>;
  /** At the peak: MiB of PSS by process type and kind (anonymous memory, mapped files, shared memory). */
  peakBreakdownMiB: Record<string, number>;
}

function processType(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}

function threadName(pid: number, tid: string): string {
  try {
    // Numbers are dropped so that a pool's threads add up under one name.
    return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/[\d/]+$/, '').trim() || 'thread';
  } catch {
    return 'gone';
  }
}

function threadTicks(pid: number, tid: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return NaN;
  }
}

function tasksOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

function ticksOf(pid: number | 'self'): number {
  const f = statFields(pid);
  // utime and stime: fields 14 and 15 of stat, here (after pid and comm) indexes 11 and 12.
  return f ? Number(f[11]) + Number(f[12]) : 0;
}

/**
 * Samples Chromium's total PSS every `intervalMs` until stopped, and the CPU its processes
 * use (each process's utime+stime as last seen: Chromium's children are not always reaped
 * into a parent's totals, so the tree's cumulative counters cannot be trusted).
 */
export function startBrowserSampler(intervalMs = 1000): { stop(): BrowserSample } {
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const self0 = ticksOf('self');
  const firstTicks = new Map<number, number>();
  const lastTicks = new Map<number, number>();
  /** Per thread ("pid/tid"): its label, ticks when first seen (0 if born since) and when last seen. */
  const threads = new Map<string, { label: string; first: number; last: number }>();
  const types = new Map<number, string>();
  // Finding the processes reads every process's stat on the machine: done every third tick only.
  let pids: number[] = [];
  const refreshPids = (): void => {
    pids = descendants(process.pid).filter((pid) => /chrom/i.test(exeOf(pid)));
  };
  const sampleThreads = (pid: number, initial: boolean): void => {
    let type = types.get(pid);
    if (!type) {
      type = processType(pid);
      types.set(pid, type);
    }
    for (const tid of tasksOf(pid)) {
      const ticks = threadTicks(pid, tid);
      if (!Number.isFinite(ticks)) continue;
      const key = `${pid}/${tid}`;
      const known = threads.get(key);
      if (known) known.last = ticks;
      else threads.set(key, { label: `${type}/${threadName(pid, tid)}`, first: initial ? ticks : 0, last: ticks });
    }
  };
  refreshPids();
  for (const pid of pids) {
    firstTicks.set(pid, ticksOf(pid));
    sampleThreads(pid, true);
  }
  let peakMiB = 0;
  let peakProcesses = 0;
  let peakBreakdownMiB: Record<string, number> = {};
  let samples = 0;
  const sample = (final = false): void => {
    if (final || samples % 3 === 0) refreshPids();
    let kib = 0;
    for (const pid of pids) {
      kib += pssKiB(pid);
      if (!firstTicks.has(pid)) firstTicks.set(pid, 0);
      const ticks = ticksOf(pid);
      if (ticks > 0) lastTicks.set(pid, ticks);
      if (final || samples % 2 === 0) sampleThreads(pid, false);
    }
    samples++;
    if (kib / 1024 > peakMiB) {
      peakMiB = kib / 1024;
      peakProcesses = pids.length;
      const breakdown: Record<string, number> = {};
      for (const pid of pids) {
        const type = types.get(pid) ?? processType(pid);
        for (const field of ['Pss_Anon', 'Pss_File', 'Pss_Shmem'] as const) {
          const key = `${type} ${field.slice(4).toLowerCase()}`;
          breakdown[key] = Math.round(((breakdown[key] ?? 0) + pssKiB(pid, field) / 1024) * 10) / 10;
        }
      }
      peakBreakdownMiB = breakdown;
    }
  };
  const timer = setInterval(() => sample(), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample(true);
      const seconds = (performance.now() - t0) / 1000;
      const selfCpuSec = (ticksOf('self') - self0) / CLK_TCK;
      let ticks = 0;
      for (const [pid, last] of lastTicks) ticks += Math.max(0, last - (firstTicks.get(pid) ?? 0));
      const browserCpuSec = ticks / CLK_TCK;
      const foreign = machineBusySeconds() - busy0 - browserCpuSec - selfCpuSec;
      const byLabel = new Map<string, number>();
      for (const { label, first, last } of threads.values()) byLabel.set(label, (byLabel.get(label) ?? 0) + Math.max(0, last - first) / CLK_TCK);
      const cpuByThread = Object.fromEntries(
        [...byLabel]
          .filter(([, sec]) => sec >= 0.5)
          .sort((a, b) => b[1] - a[1])
          .map(([label, sec]) => [label, Math.round(sec * 10) / 10]),
      );
      return { peakMiB, peakProcesses, samples, browserCpuSec, selfCpuSec, foreignCores: Math.max(0, foreign) / seconds, seconds, cpuByThread, peakBreakdownMiB };
    },
  };
}

/** CPU seconds used by this process and every descendant, dead (reaped) or alive. */
function ownCpuSeconds(): number {
  let ticks = 0;
  for (const pid of [process.pid, ...descendants(process.pid)]) {
    const f = statFields(pid);
    if (!f) continue;
    // utime stime cutime cstime are fields 14–17 of stat; here (after pid and comm) indexes 11–14.
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / CLK_TCK;
}

/** Busy CPU seconds of the whole machine (all cores). */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  void idle;
  void iowait;
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / CLK_TCK;
}

/**
 * How busy the machine was with other people's work during a measurement: average
 * number of cores used by processes that are not this benchmark's.
 */
export function startForeignLoadMeter(): { stop(): { foreignCores: number; ownCores: number } } {
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const own0 = ownCpuSeconds();
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const busy = machineBusySeconds() - busy0;
      const own = ownCpuSeconds() - own0;
      return { foreignCores: Math.max(0, busy - own) / seconds, ownCores: own / seconds };
    },
  };
}
