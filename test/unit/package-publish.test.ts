/**
 * Issue 20, "a package ready to publish": `npm run build:lib`, then `npm publish --dry-run`
 * must pass with no warning at all, and the tarball must hold what a site needs (LICENSE and
 * the licences of what it bundles, lib/ with both entries and their types, the worker and the
 * core) and nothing of the repository's sources or tests, within the size budget the README
 * names.
 *
 * npm warns on a dry run when it has no registry login; a placeholder token in a throwaway
 * user config (never the machine's own, and never sent: it is a dry run, offline) stands in,
 * so any warning left is about the package itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The packed tarball's budget, as the README's library section states it. */
const BUDGET_MB = 12;

interface Packed {
  name: string;
  version: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let scratch = '';
let packed: Packed;
let warnings: string[] = [];
let manifest: { private?: boolean; version: string; exports: Record<string, unknown>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };

beforeAll(async () => {
  const build = await run('npm', ['run', 'build:lib']);
  if (build.code !== 0) throw new Error(`npm run build:lib failed:\n${build.stdout}\n${build.stderr}`);
  scratch = await mkdtemp(path.join(tmpdir(), 'ffbatch-publish-'));
  const userconfig = path.join(scratch, 'npmrc');
  await writeFile(userconfig, '//registry.npmjs.org/:_authToken=dry-run-placeholder\n');
  const publish = await run('npm', ['publish', '--dry-run', '--json', '--offline', '--userconfig', userconfig]);
  if (publish.code !== 0) throw new Error(`npm publish --dry-run failed:\n${publish.stderr}`);
  warnings = publish.stderr.split('\n').filter((line) => /^npm (warn|WARN|error|ERR)/.test(line));
  packed = (JSON.parse(publish.stdout) as Record<string, Packed>)['ffbatch']!;
  manifest = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as typeof manifest;
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('npm publish --dry-run', () => {
  it('passes with no warnings, for a package that is not private and has a version the CHANGELOG follows', async () => {
    expect(warnings).toEqual([]);
    expect(manifest.private).toBeUndefined();
    expect(packed.name).toBe('ffbatch');
    expect(packed.version).toBe(manifest.version);
    const changelog = await readFile(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^## ${manifest.version.replace(/\./g, '\\.')}\\b`, 'm'));
  });

  it('packs LICENSE, the licences of what it bundles, lib/ with both entries and their types, the worker and the core; nothing from src/ or test/', async () => {
    const files = packed.files.map((f) => f.path);
    for (const needed of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'lib/ffbatch.js', 'lib/uppy.js', 'lib/ffmpeg.worker.js', 'lib/assets/ffmpeg-core.js', 'lib/assets/ffmpeg-core.wasm', 'lib/types/src/index.d.ts', 'lib/types/src/uppy/index.d.ts']) {
      expect(files, needed).toContain(needed);
    }
    // Every licence text LICENSE points at is packed.
    const licence = await readFile(path.join(ROOT, 'LICENSE'), 'utf8');
    const named = [...new Set(licence.match(/licenses\/[\w.-]+\.txt/g) ?? [])];
    expect(named.sort()).toEqual((await readdir(path.join(ROOT, 'licenses'))).map((name) => `licenses/${name}`).sort());
    for (const text of named) expect(files, text).toContain(text);
    for (const words of ['GPL-2.0-or-later', 'LGPL-2.1-or-later', 'MPL-2.0', 'Apache-2.0']) expect(licence).toContain(words);
    // Nothing else at the top: no sources, tests, examples or configs.
    const tops = new Set(files.map((f) => f.split('/')[0]));
    expect([...tops].sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'lib', 'licenses', 'package.json']);
    expect(files.filter((f) => /(^|\/)(src|test|workers)\//.test(f) && !f.startsWith('lib/types/'))).toEqual([]);
    expect(files.filter((f) => /\.(ts|tsx)$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('exports ".", "./uppy", the worker and the core assets, each pointing into the tarball; Uppy is an optional peer', () => {
    const files = new Set(packed.files.map((f) => f.path));
    expect(Object.keys(manifest.exports).sort()).toEqual(['.', './assets/*', './ffmpeg.worker.js', './package.json', './uppy']);
    const targets = Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target as Record<string, string>)));
    for (const target of targets) {
      const file = target.replace(/^\.\//, '').replace('*', 'ffmpeg-core.wasm');
      expect(files.has(file), `${target} is in the tarball`).toBe(true);
    }
    expect(manifest.peerDependencies?.['@uppy/core']).toMatch(/^\^\d+/);
    expect(manifest.peerDependenciesMeta?.['@uppy/core']?.optional).toBe(true);
  });

  it(`stays within the README's budget of ${BUDGET_MB} MB packed`, async () => {
    expect(packed.size, `packed ${(packed.size / 1e6).toFixed(1)} MB`).toBeLessThanOrEqual(BUDGET_MB * 1e6);
    // The README states the budget this test holds it to.
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.includes(`budget ${BUDGET_MB} MB`), `README.md says "budget ${BUDGET_MB} MB"`).toBe(true);
  });
});
