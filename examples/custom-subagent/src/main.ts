import { runExample } from './run-example';

const { summary, provider, projectDir } = await runExample({
  onEvent: (event) => {
    if (event.type === 'task-start') console.log(`▶ ${event.taskId} (${event.agent})`);
    if (event.type === 'task-end') console.log(`■ ${event.taskId}: ${event.result.status}`);
  },
});
const review = provider.calls.runTask.find((call) => call.taskId === 'review');
console.log(`\nThe security-reviewer task ran with this system prompt:\n${review?.systemPrompt ?? '(none)'}\n`);
console.log(`${summary.status.toUpperCase()}: ${summary.tasks.completed}/${summary.tasks.total} tasks`);
console.log(`project: ${projectDir}`);
