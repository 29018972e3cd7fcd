import { runExample } from './run-example';

const { summary, projectDir } = await runExample({
  onEvent: (event) => {
    if (event.type === 'task-start') console.log(`▶ ${event.taskId} (${event.agent}) on slot ${event.slot}`);
    if (event.type === 'task-end') console.log(`■ ${event.taskId}: ${event.result.status}`);
    if (event.type === 'judge-end') console.log(`⚖ met: ${event.verdict.isMet} — ${event.verdict.reasoning}`);
  },
});
console.log(`\n${summary.status.toUpperCase()} after ${summary.iterations} iteration(s): ${summary.tasks.completed}/${summary.tasks.total} tasks completed, $${summary.costUsd.toFixed(4)}, ${summary.durationMs} ms`);
console.log(`project: ${projectDir}`);
