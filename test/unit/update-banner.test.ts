import { describe, expect, it } from 'vitest';
import { canApplyUpdate } from '../../src/ui/update-banner';
import { PRECACHE_MAX_BYTES } from '../../scripts/pwa';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

describe('canApplyUpdate', () => {
  it('allows an update with no jobs, or only finished ones', () => {
    expect(canApplyUpdate([])).toBe(true);
    expect(canApplyUpdate([{ state: 'done' }, { state: 'failed' }, { state: 'canceled' }])).toBe(true);
  });
  it('refuses while any job is queued or running', () => {
    expect(canApplyUpdate([{ state: 'done' }, { state: 'queued' }])).toBe(false);
    expect(canApplyUpdate([{ state: 'running' }])).toBe(false);
  });
});

describe('precache limit', () => {
  it('is above the ffmpeg core .wasm, which must be precached for offline use', () => {
    const require = createRequire(import.meta.url);
    const wasm = path.join(path.dirname(require.resolve('@ffmpeg/core')), '..', 'esm', 'ffmpeg-core.wasm');
    expect(statSync(wasm).size).toBeGreaterThan(2 * 1024 * 1024);
    expect(PRECACHE_MAX_BYTES).toBeGreaterThan(statSync(wasm).size);
  });
});
