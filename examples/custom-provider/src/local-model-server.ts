import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JUDGE_PROMPT_MARKER, PLAN_PROMPT_MARKER, TASK_PROMPT_MARKER } from '@qoder-orch/core';

/** One chat request the server answered, as it arrived. */
export interface ReceivedChat {
  model: string;
  messages: Array<{ role: string; content: string }>;
}

export interface LocalModelServer {
  /** The OpenAI-compatible base URL, e.g. `http://127.0.0.1:40123/v1`. */
  baseUrl: string;
  received: ReceivedChat[];
  close(): Promise<void>;
}

/** The plan this "model" proposes for any objective: write the function, then check it. */
const PLAN = {
  summary: 'Write slugify, then a check that runs it.',
  tasks: [
    { id: 'slugify', title: 'Write src/slugify.js', agent: 'backend-dev', files: ['src/slugify.js'], acceptance: ['slugify("Hello, World!") is "hello-world"'], estimateMinutes: 5 },
    { id: 'check', title: 'Check slugify', agent: 'qa-agent', dependsOn: ['slugify'], files: ['check.js'], verify: [['node', 'check.js']], estimateMinutes: 5 },
  ],
};

/** Whole files per file the task prompt names. */
const FILES: Record<string, string> = {
  'src/slugify.js': "export const slugify = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');\n",
  'check.js': ["import { slugify } from './src/slugify.js';", "const got = slugify('Hello, World!');", "if (got !== 'hello-world') { console.error(`slugify gave ${got}`); process.exit(1); }", "console.log('slugify ok');", ''].join('\n'),
};

/** A deterministic stand-in for a real model: the answer depends on which prompt it is. */
function answer(messages: ReceivedChat['messages']): string {
  const prompt = messages
    .filter((message) => message.role === 'user')
    .map((message) => message.content)
    .join('\n');
  if (prompt.startsWith(PLAN_PROMPT_MARKER)) return JSON.stringify(PLAN);
  if (prompt.startsWith(JUDGE_PROMPT_MARKER)) {
    // Met when some check passed and none failed: a verdict on the evidence, not on the agents' words.
    const isMet = prompt.includes('→ PASSED') && !prompt.includes('→ FAILED');
    return JSON.stringify({ isMet, reasoning: isMet ? 'Every check passed.' : 'A check failed or none ran.' });
  }
  if (prompt.startsWith(TASK_PROMPT_MARKER)) {
    const files = Object.fromEntries(Object.entries(FILES).filter(([path]) => prompt.includes(`- ${path}`)));
    return JSON.stringify({ summary: `Wrote ${Object.keys(files).join(', ')}.`, files });
  }
  return 'I can only plan, do the tasks and judge.';
}

/** Starts an OpenAI-compatible chat-completions server on 127.0.0.1 (a free port). */
export async function startLocalModelServer(): Promise<LocalModelServer> {
  const received: ReceivedChat[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method === 'GET' && request.url === '/v1/models') return reply(200, { data: [{ id: 'rules-1' }] });
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return reply(404, { error: 'not found' });
      const chat = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedChat;
      received.push(chat);
      const content = answer(chat.messages);
      const promptChars = chat.messages.reduce((sum, message) => sum + message.content.length, 0);
      reply(200, { choices: [{ message: { role: 'assistant', content } }], usage: { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(content.length / 4) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
