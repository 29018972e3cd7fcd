import { join } from 'node:path';
import { createOrchestrator, type EventEnvelope, FileRunStore, type RunSummary } from '@qoder-orch/core';
import { type ClaudeCliSettings, createAiSdkProvider, createClaudeCli } from '@qoder-orch/providers';
import { temporaryGitRepository } from './temporary-git-repository';

export interface ExampleOptions {
  /** The Anthropic API for the planner and judge (the AI SDK), e.g. the fake server's `<url>/v1`. @default the real API */
  baseURL?: string;
  /** The model that plans and judges. @default 'claude-sonnet-4-5' */
  model?: string;
  /** How the tasks' `claude` runs (its executable, environment). @default Claude Code as installed */
  claude?: ClaudeCliSettings;
  onEvent?: (event: EventEnvelope) => void;
}

export interface ExampleResult {
  summary: RunSummary;
  events: EventEnvelope[];
  projectDir: string;
}

/**
 * One objective in a new git repository: an AI SDK model plans it and judges it (one HTTP
 * request each, no process), and the real Claude Code CLI does the tasks in worktrees. The
 * summary's `providers` lists both, with their tokens and cost.
 */
export async function runExample(options: ExampleOptions = {}): Promise<ExampleResult> {
  const projectDir = temporaryGitRepository({ 'README.md': '# greetings\n', '.gitignore': '.qoder-orch/\n' });
  const model = createAiSdkProvider({ provider: 'anthropic', model: options.model ?? 'claude-sonnet-4-5', ...(options.baseURL ? { baseURL: options.baseURL } : {}) });
  const orchestrator = createOrchestrator({
    projectDir,
    provider: createClaudeCli(options.claude ?? {}),
    planProvider: model,
    judgeProvider: model,
    runStore: new FileRunStore({ directory: join(projectDir, '.qoder-orch', 'runs') }),
    durationHistory: false,
    config: { execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', '-e', "require('node:fs').accessSync('src/greeting.txt')"] } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => {
    events.push(event);
    options.onEvent?.(event);
  });
  const summary = await orchestrator.run('Write a greeting and a farewell');
  return { summary, events, projectDir };
}
