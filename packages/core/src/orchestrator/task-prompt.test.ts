import { describe, expect, it } from 'vitest';
import { TaskSchema } from '@qoder-orch/spec';
import { buildBatchPrompt, buildTaskPrompt } from './task-prompt';

const task = TaskSchema.parse({ id: 'ui', title: 'Build the page', agent: 'frontend-dev', dependsOn: ['api', 'schema'] });

describe('buildTaskPrompt', () => {
  it('tells speculative work which dependencies are still being done, before the task', () => {
    const prompt = buildTaskPrompt({ objective: 'Ship it', task, dependencies: [], pendingDependencies: task.dependsOn });
    const note = prompt.indexOf('## Note\nThe tasks this one depends on (api, schema) are still being done by teammates.');
    expect(note).toBeGreaterThan(prompt.indexOf('Ship it'));
    expect(note).toBeLessThan(prompt.indexOf('## Your task: Build the page'));
    expect(buildTaskPrompt({ objective: 'Ship it', task, dependencies: [] })).not.toContain('## Note');
  });

  it('puts a preamble between the objective and the task, and leaves it out of a batch', () => {
    const preamble = '## Conflicting work to bring in\nResolve the markers.';
    const prompt = buildTaskPrompt({ objective: 'Ship it', task, dependencies: [], preamble });
    expect(prompt).toContain(`\n\n${preamble}\n\n## Your task: Build the page`);
    expect(buildBatchPrompt([{ objective: 'Ship it', task, dependencies: [], preamble }])).not.toContain('Conflicting work');
  });

  it('names the ports reserved for the task, and says nothing of ports without them', () => {
    const prompt = buildTaskPrompt({ objective: 'Ship it', task, dependencies: [], portRange: '41010-41019' });
    expect(prompt).toContain('## Ports\nOther agents work at the same time. If you start a server, listen on the ports reserved for you: 41010-41019');
    expect(prompt.indexOf('## Ports')).toBeLessThan(prompt.indexOf('## When you are done'));
    expect(buildTaskPrompt({ objective: 'Ship it', task, dependencies: [] })).not.toContain('## Ports');
  });
});
