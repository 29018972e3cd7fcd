import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('SerialQueue', () => {
  it('runs one operation at a time in the order queued, never inside the caller’s run, and a failure does not stop it', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const step =
      (name: string, fail = false) =>
      async () => {
        running += 1;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const first = queue.run(step('a'));
    expect(log).toEqual([]);
    expect(queue.pending).toBe(1);
    const second = queue.run(step('b', true));
    const third = queue.run(step('c'));
    await expect(first).resolves.toBe('a');
    await expect(second).rejects.toThrow('b');
    await expect(third).resolves.toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(queue.pending).toBe(0);
    // A synchronous throw is the operation's failure too.
    await expect(
      queue.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(queue.run(async () => 'after')).resolves.toBe('after');
  });

  it('onIdle waits for everything queued so far, failures included', async () => {
    const queue = new SerialQueue();
    const blocker = gate();
    let isDone = false;
    void queue.run(() => blocker.promise);
    void queue
      .run(async () => {
        isDone = true;
        throw new Error('ignored');
      })
      .catch(() => undefined);
    const idle = queue.onIdle();
    blocker.open();
    await idle;
    expect(isDone).toBe(true);
    await queue.onIdle();
  });
});
