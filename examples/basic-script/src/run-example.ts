import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrchestrator, MemoryRunStore, type EventEnvelope, type RunSummary } from '@qoder-orch/core';
import { MockAgentProvider } from '@qoder-orch/core/test';

/** The plan the scripted "model" answers with: a contract first, then backend and frontend in parallel, then tests. */
const PLAN = {
  summary: 'Contract first, then both sides in parallel, then tests.',
  tasks: [
    { id: 'contract', title: 'Write the API contract', agent: 'architect', files: ['openapi.json'], estimateMinutes: 5 },
    { id: 'backend', title: 'Serve GET /health', agent: 'backend-dev', dependsOn: ['contract'], files: ['server.js'], estimateMinutes: 10 },
    { id: 'frontend', title: 'Call GET /health', agent: 'frontend-dev', dependsOn: ['contract'], files: ['client.js'], estimateMinutes: 8 },
    {
      id: 'tests',
      title: 'Check both sides agree',
      agent: 'qa-agent',
      dependsOn: ['backend', 'frontend'],
      files: ['check.js'],
      verify: [['node', 'check.js']],
      estimateMinutes: 5,
    },
  ],
};

const report = (files: string[]) => `Done.\n\n\`\`\`json\n${JSON.stringify({ status: 'success', summary: 'Done.', filesChanged: files })}\n\`\`\``;

export interface ExampleResult {
  summary: RunSummary;
  events: EventEnvelope[];
  projectDir: string;
}

/**
 * Runs "Add a health endpoint" in a temporary folder with the mock provider: real files are
 * written, the qa task's `node check.js` really runs, the judge decides on that evidence.
 */
export async function runExample(options: { onEvent?: (event: EventEnvelope) => void } = {}): Promise<ExampleResult> {
  const projectDir = await mkdtemp(join(tmpdir(), 'qoder-orch-example-'));
  await writeFile(join(projectDir, 'README.md'), '# health demo\n');
  const provider = new MockAgentProvider({
    complete: (options) =>
      options.purpose === 'judge'
        ? JSON.stringify({ isMet: true, reasoning: 'The check script passed.', criteria: [{ criterion: 'GET /health works', isMet: true, evidence: 'node check.js exit 0' }] })
        : `Here is the plan:\n\`\`\`json\n${JSON.stringify(PLAN)}\n\`\`\``,
    runTask: {
      contract: [{ type: 'success', files: { 'openapi.json': '{"paths":{"/health":{"get":{}}}}\n' }, text: report(['openapi.json']) }],
      backend: [{ type: 'success', delayMs: 30, files: { 'server.js': "export const routes = { 'GET /health': () => ({ ok: true }) };\n" }, text: report(['server.js']) }],
      frontend: [{ type: 'success', delayMs: 20, files: { 'client.js': "export const health = () => fetch('/health');\n" }, text: report(['client.js']) }],
      tests: [
        {
          type: 'success',
          files: {
            'check.js': [
              "import { readFileSync } from 'node:fs';",
              "const server = readFileSync('server.js', 'utf8');",
              "const client = readFileSync('client.js', 'utf8');",
              "if (!server.includes('GET /health') || !client.includes(\"'/health'\")) { console.error('mismatch'); process.exit(1); }",
              "console.log('frontend and backend agree on /health');",
              '',
            ].join('\n'),
          },
          text: report(['check.js']),
        },
      ],
    },
  });
  const orchestrator = createOrchestrator({
    projectDir,
    provider,
    runStore: new MemoryRunStore(),
    config: { execution: { maxParallel: 2, maxIterations: 2 } },
  });
  const events: EventEnvelope[] = [];
  orchestrator.on('event', (event) => {
    events.push(event);
    options.onEvent?.(event);
  });
  const summary = await orchestrator.run('Add a health endpoint that the frontend calls', {
    // `node check.js` runs a file the plan's own task writes: the command policy holds it for
    // approval (shells, inline code and downloads it would refuse outright). Approve exactly it.
    approveCommands: ({ commands }) => commands.map((review) => review.command.join(' ') === 'node check.js'),
  });
  await readFile(join(projectDir, 'check.js'), 'utf8');
  return { summary, events, projectDir };
}
