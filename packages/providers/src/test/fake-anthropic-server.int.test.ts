import { rmSync } from 'node:fs';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { findClaudeExecutable } from '../index';
import { type FakeAnthropicServer, createFakeAnthropicServer, fakeClaudeCommand, flaky, reply, routeByText, sequence } from './index';

const servers: FakeAnthropicServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(options: Parameters<typeof createFakeAnthropicServer>[0]) {
  const server = await createFakeAnthropicServer(options);
  servers.push(server);
  return server;
}

const post = (server: FakeAnthropicServer, body: Record<string, unknown>) => fetch(`${server.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const agentTurn = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-test',
  system: [{ type: 'text', text: 'You are Claude Code.' }],
  tools: [{ name: 'Write' }, { name: 'Bash' }],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>ignore me</system-reminder>' },
        { type: 'text', text },
      ],
    },
  ],
  ...extra,
});

describe('fake Anthropic server, over HTTP', () => {
  it('answers a non-streaming request with a JSON message, tool uses included', async () => {
    const server = await start({ script: [reply.bash('ls', 'Looking.')] });
    const response = await post(server, agentTurn('[qoder-orch:task a] go', { stream: false }));
    const body = (await response.json()) as { content: Array<{ type: string; name?: string; input?: unknown; id?: string }>; stop_reason: string; usage: unknown };
    expect(response.status).toBe(200);
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content[0]).toEqual({ type: 'text', text: 'Looking.' });
    expect(body.content[1]).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls' } });
    expect(body.content[1]?.id).toMatch(/^toolu_/);
    expect(server.requests[0]).toMatchObject({ prompt: '[qoder-orch:task a] go', hasTools: true, isStreaming: false, turnIndex: 0, isSideRequest: false });
  });

  it('streams SSE events in the Messages API order', async () => {
    const server = await start({ script: ['Hello.'] });
    const text = await (await post(server, agentTurn('hi', { stream: true }))).text();
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(events).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(text).toContain('"text_delta","text":"Hello."');
  });

  it('sends errors in the Anthropic shape, with retry-after', async () => {
    const server = await start({ handler: flaky(1, () => 'recovered', reply.rateLimited(3)) });
    const first = await post(server, agentTurn('x'));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(await first.json()).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Rate limited by the fake server' } });
    expect((await post(server, agentTurn('x', { stream: false }))).status).toBe(200);
  });

  it('routes by prompt markers, plays scripts per conversation, and keeps side requests away from handlers', async () => {
    const server = await start({ handler: routeByText([{ match: '[qoder-orch:judge]', handle: ['judged'] }], () => 'fallback') });
    const judged = (await (await post(server, agentTurn('[qoder-orch:judge] look', { stream: false }))).json()) as { content: Array<{ text: string }> };
    const other = (await (await post(server, agentTurn('something else', { stream: false }))).json()) as { content: Array<{ text: string }> };
    const side = (await (await post(server, { model: 'm', system: 'Generate a title', messages: [{ role: 'user', content: 'title please' }] })).json()) as { content: Array<{ text: string }> };
    expect([judged.content[0]?.text, other.content[0]?.text, side.content[0]?.text]).toEqual(['judged', 'fallback', 'OK.']);
    expect(server.requests[2]?.isSideRequest).toBe(true);
    const scripted = sequence(['first', 'second']);
    expect(scripted({ ...server.requests[0]!, turnIndex: 1 })).toBe('second');
  });

  it('closes even while a hang reply holds a connection open', async () => {
    const server = await createFakeAnthropicServer({ handler: () => reply.hang() });
    const pending = post(server, agentTurn('x')).catch((error: unknown) => error);
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe.skipIf(!findClaudeExecutable())('fakeClaudeCommand drives the real claude', () => {
  it('gives an executable, args and environment that reach the fake server', async () => {
    const server = await start({ script: ['Hello from the fake.'] });
    const command = fakeClaudeCommand(server);
    const result = await execa(command.executable, [...command.args, '--max-turns', '2'], { env: command.env, extendEnv: false, input: '[qoder-orch:task demo] say hello', reject: false, timeout: 60_000 });
    rmSync(command.configDir, { recursive: true, force: true });
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { result: string; is_error: boolean };
    expect(last).toMatchObject({ result: 'Hello from the fake.', is_error: false });
    expect(server.requests.filter((request) => !request.isSideRequest)[0]?.prompt).toBe('[qoder-orch:task demo] say hello');
  });
});
