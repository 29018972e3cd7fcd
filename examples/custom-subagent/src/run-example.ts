import { fileURLToPath } from 'node:url';
import { createOrchestrator, MemoryRunStore, PLAN_PROMPT_MARKER, type EventEnvelope, type RunSummary } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';
import { gitRepositoryFrom } from './temporary-git-repository';

/** The example project: a README, a test, and the security reviewer in `.claude/agents/`. */
export const PROJECT_TEMPLATE = fileURLToPath(new URL('../project', import.meta.url));

/** The plan the scripted "model" answers with: the login module, then its security review by the project's own subagent. */
const PLAN = {
  summary: 'Write the login check, then have it reviewed for security.',
  tasks: [
    { id: 'login', title: 'Write checkPassword in src/login.js', agent: 'backend-dev', files: ['src/login.js'], estimateMinutes: 5 },
    {
      id: 'review',
      title: 'Security review of src/login.js',
      description: 'Review src/login.js and write the findings to SECURITY_REVIEW.md.',
      agent: 'security-reviewer',
      dependsOn: ['login'],
      files: ['SECURITY_REVIEW.md'],
      estimateMinutes: 5,
    },
  ],
};

const report = (files: string[]) => `Done.\n\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: 'Done.', filesChanged: files })}\n\`\`\``;

export interface ExampleResult {
  summary: RunSummary;
  events: EventEnvelope[];
  /** The scripted provider, with every prompt it was given in `calls`. */
  provider: MockAgentProvider;
  projectDir: string;
}

/**
 * Runs "Add a password check, reviewed for security" on a git copy of `project/`. The
 * orchestrator finds `.claude/agents/security-reviewer.md`, offers it to the planner, and gives
 * its markdown body as the system prompt of the task the plan assigns to it.
 */
export async function runExample(options: { onEvent?: (event: EventEnvelope) => void } = {}): Promise<ExampleResult> {
  const projectDir = await gitRepositoryFrom(PROJECT_TEMPLATE);
  const provider = new MockAgentProvider({
    complete: (call) => (call.prompt.startsWith(PLAN_PROMPT_MARKER) ? `\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\`` : JSON.stringify({ isMet: true, reasoning: 'node test.js passed; the review is written.' })),
    runTask: {
      login: [
        {
          type: 'success',
          files: { 'src/login.js': "import { timingSafeEqual } from 'node:crypto';\nexport const checkPassword = (stored, given) => stored.length === given.length && timingSafeEqual(Buffer.from(stored), Buffer.from(given));\n" },
          text: report(['src/login.js']),
        },
      ],
      review: [{ type: 'success', files: { 'SECURITY_REVIEW.md': 'SEC-1 low src/login.js:2 the length check returns early → compare hashes of equal length\n' }, text: report(['SECURITY_REVIEW.md']) }],
    },
  });
  const orchestrator = createOrchestrator({
    projectDir,
    provider,
    runStore: new MemoryRunStore(),
    config: { execution: { maxParallel: 2, maxIterations: 1, testCommand: ['node', 'test.js'] } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => {
    events.push(event);
    options.onEvent?.(event);
  });
  const summary = await orchestrator.run('Add a password check, reviewed for security');
  return { summary, events, provider, projectDir };
}
