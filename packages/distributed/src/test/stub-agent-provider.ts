import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type LLMProviderV1, ProviderError, type RunTaskOptions, type RunTaskResult } from '@qoder-orch/spec';

/**
 * A stand-in agent for worker tests and benchmarks: waits `delayMs` (or `delays[taskId]`), writes
 * `src/<taskId>.txt` naming the process that did it, emits one event. Honours the abort signal.
 * As a module (`--llm-provider <this file>`) it is the default export, its delay from
 * `QODER_ORCH_STUB_DELAY_MS`.
 */
export function createStubAgentProvider({ delayMs = 0, providerId = 'stub', delays = {} }: { delayMs?: number; providerId?: string; delays?: Record<string, number> } = {}): LLMProviderV1 {
  return {
    specificationVersion: 'v1',
    providerId,
    doComplete: () => Promise.reject(new ProviderError({ providerId, code: 'BAD_OUTPUT', message: 'The stub agent only runs tasks.' })),
    async doRunTask(options: RunTaskOptions): Promise<RunTaskResult> {
      const startedAt = Date.now();
      options.onEvent?.({ type: 'text', text: `working on ${options.taskId} in process ${process.pid}` });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delays[options.taskId] ?? delayMs);
        const onAbort = () => {
          clearTimeout(timer);
          reject(new ProviderError({ providerId, code: 'ABORTED', message: 'aborted', isCanceled: true }));
        };
        options.abortSignal?.addEventListener('abort', onAbort, { once: true });
      });
      const file = join(options.cwd, 'src', `${options.taskId}.txt`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${options.taskId} by ${process.pid}\n`);
      return { summary: `Wrote src/${options.taskId}.txt.`, usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.001, numTurns: 1, durationMs: Date.now() - startedAt };
    },
  };
}

export default createStubAgentProvider({ delayMs: Number(process.env['QODER_ORCH_STUB_DELAY_MS'] ?? '0') });
