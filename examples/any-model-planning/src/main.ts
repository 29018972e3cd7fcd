import { createFakeAnthropicServer, fakeClaudeCliSettings } from '@qoder-orch/providers/test';
import { runExample } from './run-example';
import { scriptedModel } from './scripted-model';

// Offline by default: the fake Anthropic server answers both the AI SDK (plan, judge) and the
// real `claude` binary (tasks). With --live, both reach the real API with your ANTHROPIC_API_KEY.
const isLive = process.argv.includes('--live');
const server = isLive ? undefined : await createFakeAnthropicServer({ handler: scriptedModel });
if (server) {
  process.env['ANTHROPIC_API_KEY'] = server.env['ANTHROPIC_API_KEY'];
}
try {
  const { summary, projectDir } = await runExample({
    ...(server ? { baseURL: `${server.url}/v1`, claude: fakeClaudeCliSettings(server, { apiTimeoutMs: 120_000 }) } : {}),
    onEvent: (event) => {
      if (event.type === 'plan-end') console.log(`plan: ${event.plan.tasks.map((task) => task.id).join(', ')}`);
      if (event.type === 'task-end') console.log(`task ${event.taskId}: ${event.result.status}`);
      if (event.type === 'judge-end') console.log(`judge: ${event.verdict.isMet ? 'met' : 'not met'} (${event.verdict.reasoning})`);
    },
  });
  console.log(`\n${summary.status.toUpperCase()} in ${summary.durationMs} ms, project ${projectDir}`);
  for (const spend of summary.providers ?? []) {
    const cost = spend.costUsd > 0 ? `$${spend.costUsd.toFixed(4)}` : 'cost unknown';
    console.log(`  ${spend.providerId.padEnd(40)} ${spend.purposes.join(', ').padEnd(12)} ${spend.usage.inputTokens} in / ${spend.usage.outputTokens} out  ${cost}`);
  }
} finally {
  await server?.close();
}
