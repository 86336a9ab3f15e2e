/** The stack functions' names, read from the pinned core's glue at build time, are the real ones. */
import { describe, expect, it } from 'vitest';
import { coreGlue, coreStackExports } from '../../scripts/ffmpeg-core-exports';
import { loadCoreInNode } from '../support/node-core';

describe('coreStackExports', () => {
  it('finds stackSave and stackRestore in the installed core, and they move the stack pointer', async () => {
    const names = coreStackExports(coreGlue());
    const core = (await loadCoreInNode()) as unknown as { asm: Record<string, unknown>; _malloc(bytes: number): number };
    const save = core.asm[names.stackSave] as () => number;
    const restore = core.asm[names.stackRestore] as (pointer: number) => void;
    expect(typeof save).toBe('function');
    const top = (core._malloc(65536) + 65536) & ~15;
    const original = save();
    restore(top);
    expect(save()).toBe(top);
    restore(original);
    expect(save()).toBe(original);
  });

  it('refuses glue without them, naming what is missing', () => {
    expect(() => coreStackExports('var x=1;')).toThrow(/no stackSave export/);
  });
});
