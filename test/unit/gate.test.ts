import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/jobs/encode-plan';
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

describe('waitFor: a job waiting at the gate says for what (issue 15)', () => {
  it('sets waitingFor while it waits, clears it once through (or aborted), and pauses the watchdog', async () => {
    const patches: unknown[] = [];
    let paused = 0;
    const context = {
      update: (patch: object) => void patches.push(patch),
      whileWaiting: async <T,>(waiting: Promise<T>): Promise<T> => {
        paused++;
        return waiting;
      },
    };
    const gate = new Gate(1);
    const first = await gate.acquire(new AbortController().signal);
    const second = waitFor(context, "the fast route's encoder (one encode at a time on this machine)", gate.acquire(new AbortController().signal));
    expect(patches).toEqual([{ waitingFor: "the fast route's encoder (one encode at a time on this machine)" }]);
    first();
    (await second)();
    expect(patches).toEqual([{ waitingFor: "the fast route's encoder (one encode at a time on this machine)" }, { waitingFor: null }]);
    expect(paused).toBe(1);

    const controller = new AbortController();
    const held = await gate.acquire(new AbortController().signal);
    const aborted = waitFor(context, 'x', gate.acquire(controller.signal));
    controller.abort();
    await expect(aborted).rejects.toThrow();
    expect(patches.at(-1)).toEqual({ waitingFor: null });
    held();
  });
});
