import { createOrchestrator, MemoryRunStore, type EventEnvelope, type RunSummary } from '@qoder-orch/core';
import { ChatCompletionsProvider } from './chat-completions-provider';
import { startLocalModelServer, type ReceivedChat } from './local-model-server';
import { createTemporaryGitRepository } from './temporary-git-repository';

export interface ExampleResult {
  summary: RunSummary;
  events: EventEnvelope[];
  /** Every chat request the model server answered (plan, tasks, judge). */
  chats: ReceivedChat[];
  projectDir: string;
}

/**
 * Runs "Add a slugify function" in a fresh git repository with {@link ChatCompletionsProvider}
 * talking to a local OpenAI-compatible server. Point `baseUrl` at Ollama or llama.cpp to use a
 * real model instead.
 */
export async function runExample(options: { onEvent?: (event: EventEnvelope) => void } = {}): Promise<ExampleResult> {
  const server = await startLocalModelServer();
  try {
    const projectDir = await createTemporaryGitRepository({ 'README.md': '# slugs\n', 'package.json': '{ "type": "module" }\n' });
    const provider = new ChatCompletionsProvider({ baseUrl: server.baseUrl, model: 'rules-1' });
    const orchestrator = createOrchestrator({
      projectDir,
      provider,
      runStore: new MemoryRunStore(),
      config: { execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', 'check.js'] } },
    });
    const events: EventEnvelope[] = [];
    orchestrator.on('event', (event) => {
      events.push(event);
      options.onEvent?.(event);
    });
    const summary = await orchestrator.run('Add a slugify function', {
      // `node check.js` runs a file a task of the plan writes: approve exactly that command.
      approveCommands: ({ commands }) => commands.map((review) => review.command.join(' ') === 'node check.js'),
    });
    return { summary, events, chats: server.received, projectDir };
  } finally {
    await server.close();
  }
}
