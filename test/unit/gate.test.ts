import { describe, expect, it } from 'vitest';
import { Gate } from '../../src/jobs/gate';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('Gate', () => {
  it('lets `limit` holders in and the next one when a holder leaves, in order', async () => {
    const gate = new Gate(1);
    const order: string[] = [];
    const first = await gate.acquire(new AbortController().signal);
    const second = gate.acquire(new AbortController().signal).then((release) => (order.push('second'), release));
    const third = gate.acquire(new AbortController().signal).then((release) => (order.push('third'), release));
    await tick();
    expect(order).toEqual([]);
    expect(gate.busy).toBe(true);
    first();
    first(); // a second release changes nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(gate.busy).toBe(false);
  });

  it('a waiter whose signal fires rejects with AbortError and frees its place', async () => {
    const gate = new Gate(1);
    const held = await gate.acquire(new AbortController().signal);
    const cancel = new AbortController();
    const waiting = gate.acquire(cancel.signal);
    const next = gate.acquire(new AbortController().signal);
    cancel.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    held();
    await expect(next).resolves.toBeTypeOf('function');
  });

  it('refuses a limit below 1', () => {
    expect(() => new Gate(0)).toThrow(TypeError);
  });
});
