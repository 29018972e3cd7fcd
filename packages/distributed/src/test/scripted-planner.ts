import { type CompleteOptions, type CompleteResult, type LLMProviderV1, ProviderError } from '@qoder-orch/spec';

/**
 * A coordinator-side provider for tests of the CLI in a process of its own (`--llm-provider
 * <this file>`): plans one task per id of `QODER_ORCH_TEST_TASKS` (comma-separated; task `x`
 * writes `src/x.txt`), and the judge finds every objective met. Task attempts go to the queue,
 * never here.
 */
export function createScriptedPlanner(taskIds: readonly string[]): LLMProviderV1 {
  const providerId = 'scripted-planner';
  return {
    specificationVersion: 'v1',
    providerId,
    doComplete(options: CompleteOptions): Promise<CompleteResult> {
      const text =
        options.purpose === 'judge' ? JSON.stringify({ isMet: true, reasoning: 'every file is there' }) : JSON.stringify({ tasks: taskIds.map((id) => ({ id, title: `Do ${id}`, agent: 'backend-dev', files: [`src/${id}.txt`] })) });
      return Promise.resolve({ text, usage: { inputTokens: 1, outputTokens: 1 } });
    },
    doRunTask: () => Promise.reject(new ProviderError({ providerId, code: 'BAD_OUTPUT', message: 'The scripted planner does not run tasks; a queue executor sends them to workers.' })),
  };
}

export default createScriptedPlanner((process.env['QODER_ORCH_TEST_TASKS'] ?? '').split(',').filter(Boolean));
