import { describe, expect, it } from 'vitest';
import { WarmStarts } from './warm-starts';

/** A run that answers with the input it was given, or with `unused` when it was given none. */
function echoRun(log: string[]) {
  return async (input: Promise<string | undefined>, abortSignal: AbortSignal) => {
    log.push('started');
    const text = await input;
    return `${text ?? 'unused'}${abortSignal.aborted ? ' (aborted)' : ''}`;
  };
}

describe('WarmStarts', () => {
  it('gives the run started for a key its input at the first take, once; other keys and later takes get nothing', async () => {
    const warm = new WarmStarts<string>();
    const log: string[] = [];
    warm.start('judge', echoRun(log));
    warm.start('judge', echoRun(log));
    expect(log).toEqual(['started']);
    expect(warm.take('plan', 'other')).toBeUndefined();
    await expect(warm.take('judge', 'the prompt')).resolves.toBe('the prompt');
    expect(warm.take('judge', 'again')).toBeUndefined();
    expect(warm.size).toBe(0);
  });

  it('cancel ends an untaken run unused, and does nothing once it was taken', async () => {
    const warm = new WarmStarts<string>();
    const log: string[] = [];
    let result: Promise<string> | undefined;
    const handle = warm.start('judge', (input, signal) => (result = echoRun(log)(input, signal)));
    handle.cancel();
    await expect(result).resolves.toBe('unused');
    expect(warm.take('judge', 'late')).toBeUndefined();
    const second = warm.start('judge', echoRun(log));
    const taken = warm.take('judge', 'used');
    second.cancel();
    await expect(taken).resolves.toBe('used');
  });

  it('drops a run that ended before it was taken (the call starts its own), and passes the caller abort on', async () => {
    const warm = new WarmStarts<string>();
    warm.start('judge', async () => {
      throw new Error('could not start');
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(warm.take('judge', 'prompt')).toBeUndefined();
    const controller = new AbortController();
    controller.abort();
    warm.start('judge', echoRun([]));
    await expect(warm.take('judge', 'prompt', controller.signal)).resolves.toBe('prompt (aborted)');
  });
});
