import { runExample } from './run-example';

const { summary, chats, projectDir } = await runExample({
  onEvent: (event) => {
    if (event.type === 'task-start') console.log(`▶ ${event.taskId} (${event.agent})`);
    if (event.type === 'task-end') console.log(`■ ${event.taskId}: ${event.result.status}`);
    if (event.type === 'judge-end') console.log(`⚖ met: ${event.verdict.isMet} — ${event.verdict.reasoning}`);
  },
});
console.log(`\n${summary.status.toUpperCase()}: ${summary.tasks.completed}/${summary.tasks.total} tasks, ${chats.length} model calls`);
console.log(`project: ${projectDir}`);
