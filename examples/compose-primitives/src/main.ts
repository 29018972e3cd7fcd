import { composePrimitives } from './compose';

const { results, projectDir } = await composePrimitives({
  onEvent: (event) => {
    if (event.name === 'attempt') console.log(`▶ ${event.payload.taskId} (${event.payload.agent}) on slot ${event.payload.slot}, attempt ${event.payload.attempt}`);
    if (event.name === 'verify') console.log(`✓ ${event.payload.taskId}: checks ${event.payload.isPassed ? 'passed' : 'failed'}`);
    if (event.name === 'task-finish') console.log(`■ ${event.payload.taskId}: ${event.payload.result.status}`);
  },
});
for (const result of results.values()) console.log(`${result.taskId}: ${result.status}, ${result.filesChanged.join(', ')}${result.commit ? ` @ ${result.commit.slice(0, 8)}` : ''}`);
console.log(`project: ${projectDir}`);
