/**
 * A site owner's Vite site in a temp folder, with ffbatch installed from the packed tarball
 * and everything installed offline from the npm cache (the package, bundlers and Uppy specs).
 *
 * A cache filled by `npm ci` holds the tarballs, but not surely the registry's package
 * documents that `npm install` reads to resolve a version range (here it held some, under
 * other Accept headers, and `--offline` failed on @ffmpeg/core's). So the site gets a
 * package-lock.json first, written from this repository's own lock (the same versions, for
 * the site's dependencies and theirs) with every tarball's address: with it, `npm install
 * --offline` needs nothing but the cached tarballs and ffbatch's own (checked against a copy
 * of the cache with every package document taken out).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface SitePackage {
  name: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Runs a command in `cwd`; resolves with its output, rejects with it when the exit code is not 0. */
export function runIn(cwd: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${output.trim()}`))));
  });
}

/** `npm run build:lib`, then `npm pack` into `dir`; the tarball's path. */
export async function packLibrary(dir: string): Promise<string> {
  await runIn(ROOT, 'npm', ['run', 'build:lib']);
  const output = await runIn(ROOT, 'npm', ['pack', '--pack-destination', dir, '--json']);
  const [packed] = JSON.parse(output.slice(output.indexOf('['))) as { filename: string }[];
  if (!packed) throw new Error(`npm pack said nothing about its tarball:\n${output}`);
  return path.join(dir, packed.filename);
}

/**
 * Copies a site's sources (`from`, e.g. one of examples/) into `site`, leaving what a build or
 * an install made behind (node_modules, dist, copied public assets).
 */
export async function copySiteSources(from: string, site: string): Promise<void> {
  await cp(from, site, { recursive: true, filter: (file) => !/[/\\](node_modules|dist|public)$/.test(file) });
}

/**
 * Points `site`/package.json's `ffbatch` dependency at the tarball, writes the site's lock
 * (writeSiteLock) and installs everything offline.
 */
export async function installWithTarball(site: string, tarball: string): Promise<void> {
  const file = path.join(site, 'package.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as SitePackage;
  manifest.dependencies = { ...manifest.dependencies, ffbatch: `file:${path.relative(site, tarball)}` };
  await writeFile(file, JSON.stringify(manifest, null, 2));
  await writeSiteLock(site, tarball);
  await runIn(site, 'npm', ['install', '--offline', '--no-audit', '--no-fund']);
}

/** The package's name at a lock path (an aliased one says its real name). */
function nameAt(at: string, entry: LockEntry): string {
  return typeof entry['name'] === 'string' ? entry['name'] : at.slice(at.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** The registry's address of a tarball, as npm writes it into a lock. */
function registryTarball(name: string, version: string): string {
  return `https://registry.npmjs.org/${name}/-/${name.slice(name.indexOf('/') + 1)}-${version}.tgz`;
}

/** Where Node would find `name` from the package at `from` (a lock path; '' is the root). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (base === '') return undefined;
    base = base.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '');
  }
}

/**
 * Writes `site`/package-lock.json for `site`/package.json, where the `ffbatch` dependency is
 * the tarball: ffbatch's entry from the tarball itself, every other package (and what it
 * needs) copied from this repository's lock.
 */
export async function writeSiteLock(site: string, tarball: string): Promise<void> {
  const sitePackage = JSON.parse(await readFile(path.join(site, 'package.json'), 'utf8')) as SitePackage;
  const repoLock = JSON.parse(await readFile(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const libraryPackage = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string; dependencies: Record<string, string>; engines: Record<string, string> };
  const tarballBytes = await readFile(tarball);
  const packages: Record<string, LockEntry> = {
    'node_modules/ffbatch': {
      version: libraryPackage.version,
      resolved: `file:${path.relative(site, tarball)}`,
      integrity: `sha512-${createHash('sha512').update(tarballBytes).digest('base64')}`,
      license: libraryPackage.license,
      dependencies: libraryPackage.dependencies,
      engines: libraryPackage.engines,
    },
  };
  const lookup = { ...repoLock.packages, ...packages };
  const queue: { from: string; name: string; optional: boolean }[] = [];
  const need = (from: string, entry: LockEntry | SitePackage): void => {
    for (const name of Object.keys(entry.dependencies ?? {})) queue.push({ from, name, optional: false });
    for (const name of Object.keys((entry as LockEntry).optionalDependencies ?? {})) queue.push({ from, name, optional: true });
    const lockEntry = entry as LockEntry;
    // npm installs required peers, never optional ones.
    for (const name of Object.keys(lockEntry.peerDependencies ?? {})) {
      if (lockEntry.peerDependenciesMeta?.[name]?.optional !== true) queue.push({ from, name, optional: false });
    }
    for (const name of Object.keys((entry as SitePackage).devDependencies ?? {})) queue.push({ from, name, optional: false });
  };
  need('', sitePackage);
  const seen = new Set<string>();
  for (let item = queue.shift(); item; item = queue.shift()) {
    const at = locate(lookup, item.from, item.name);
    if (!at) {
      if (item.optional) continue;
      throw new Error(`${item.name} (needed by ${item.from || 'the site'}) is not in this repository's package-lock.json.`);
    }
    if (seen.has(at)) continue;
    seen.add(at);
    const entry = lookup[at]!;
    // The repository's dev flags say nothing about the site; npm works them out again.
    const kept = { ...entry };
    delete kept['dev'];
    delete kept['devOptional'];
    // Without `resolved`, npm asks the registry (or the cache) for the package's document to find the tarball.
    if (kept['resolved'] === undefined && typeof kept.version === 'string') kept['resolved'] = registryTarball(nameAt(at, kept), kept.version);
    packages[at] = kept;
    need(at, entry);
  }
  const lock = {
    name: sitePackage.name,
    version: sitePackage.version ?? '0.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: sitePackage.name, version: sitePackage.version ?? '0.0.0', dependencies: sitePackage.dependencies ?? {}, devDependencies: sitePackage.devDependencies ?? {} },
      ...packages,
    },
  };
  await writeFile(path.join(site, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}
