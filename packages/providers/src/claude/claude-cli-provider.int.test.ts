import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@qoder-orch/spec';
import { createClaudeCli, findClaudeExecutable } from '../index';
import { type FakeAnthropicHandler, type FakeAnthropicServer, createFakeAnthropicServer, failureOf, fakeClaudeCliSettings, processesWithEnvironment, reply, routeByText, sequence } from '../test/index';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function gitRepository(): string {
  const directory = mkdtempSync(join(tmpdir(), 'claude-int-repo-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: directory });
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: directory });
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

async function fakeServer(handler: FakeAnthropicHandler): Promise<FakeAnthropicServer> {
  const server = await createFakeAnthropicServer({ handler });
  cleanups.push(() => server.close());
  return server;
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const mainTurns = (server: FakeAnthropicServer) => server.requests.filter((request) => !request.isSideRequest);

describe.skipIf(!findClaudeExecutable())('Claude Code CLI provider, real claude against the fake Anthropic server', () => {
  it('reads and edits a file in a git worktree, reporting events, usage, cost and the session id', async () => {
    const repository = gitRepository();
    const worktree = join(repository, '..', `${repository.split('/').at(-1)}-wt`);
    execFileSync('git', ['worktree', 'add', '-q', '-b', 'task/t-edit', worktree], { cwd: repository });
    cleanups.push(() => rmSync(worktree, { recursive: true, force: true }));
    const target = join(worktree, 'greeting.txt');
    writeFileSync(target, 'hello world\n');
    const prompt = `[qoder-orch:task t-edit] Edit "greeting.txt" — it's $(whoami) and \`date\`\nsecond line: ünïcödé ✓ 🚀 'single' "double" \\ backslash`;
    const server = await fakeServer(routeByText([{ match: '[qoder-orch:task t-edit]', handle: [reply.read(target), reply.edit(target, 'world', 'qoder'), reply.text('Edited greeting.txt.')] }]));
    const events: AgentEvent[] = [];
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const result = await provider.doRunTask({
      taskId: 't-edit',
      prompt,
      cwd: worktree,
      systemPrompt: 'You are the backend-dev subagent.',
      allowedTools: ['Read', 'Edit'],
      permissionMode: 'acceptEdits',
      onEvent: (event) => events.push(event),
    });
    expect(readFileSync(target, 'utf8')).toBe('hello qoder\n');
    expect(result.summary).toBe('Edited greeting.txt.');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.numTurns).toBe(3);
    const turns = mainTurns(server);
    expect(turns[0]?.prompt).toBe(prompt);
    expect(turns[0]?.system).toContain('You are the backend-dev subagent.');
    expect(events.filter((event) => event.type === 'tool-call').map((event) => (event as { toolName: string }).toolName)).toEqual(['Read', 'Edit']);
    expect(events.filter((event) => event.type === 'tool-result').every((event) => !(event as { isError: boolean }).isError)).toBe(true);
  });

  it('writes a new file and can resume the session afterwards', async () => {
    const repository = gitRepository();
    const configDir = mkdtempSync(join(tmpdir(), 'claude-int-config-'));
    cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
    const server = await fakeServer(
      routeByText([
        // A resumed conversation starts with the first prompt; route it by its newest message.
        { match: (request) => request.lastUserText === 'Continue', handle: () => 'Resumed.' },
        { match: '[qoder-orch:task t-write]', handle: [reply.write(join(repository, 'src', 'new.ts'), 'export const answer = 42;\n'), reply.text('Created src/new.ts.')] },
      ]),
    );
    const provider = createClaudeCli({ ...fakeClaudeCliSettings(server), isolateConfig: false, configDir });
    const first = await provider.doRunTask({ taskId: 't-write', prompt: '[qoder-orch:task t-write] Create src/new.ts', cwd: repository, allowedTools: ['Write'] });
    expect(readFileSync(join(repository, 'src', 'new.ts'), 'utf8')).toBe('export const answer = 42;\n');
    const resumed = await provider.doRunTask({ taskId: 't-write', prompt: 'Continue', cwd: repository, resumeSessionId: first.sessionId! });
    expect(resumed.summary).toBe('Resumed.');
    // The resumed conversation carries the first one's turns.
    expect(mainTurns(server).at(-1)?.messages.length).toBeGreaterThan(3);
  });

  it('answers a completion as JSON through --json-schema, with no tools that could edit files', async () => {
    const server = await fakeServer((request) => (request.hasStructuredOutput && request.toolResults.length === 0 ? reply.json({ tasks: [{ id: 'a' }] }) : reply.text('Planned.')));
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const result = await provider.doComplete({
      prompt: '[qoder-orch:plan] Split the objective',
      system: 'You are the planner.',
      jsonSchema: { type: 'object', properties: { tasks: { type: 'array', items: { type: 'object' } } }, required: ['tasks'] },
      cwd: gitRepository(),
    });
    expect(result.json).toEqual({ tasks: [{ id: 'a' }] });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    const first = mainTurns(server)[0]!;
    expect(first.prompt).toBe('[qoder-orch:plan] Split the objective');
    expect(first.toolNames).toEqual(['StructuredOutput']);
    // Not asked in plan mode, whose injected turn tells the model to call ExitPlanMode instead of answering.
    expect(JSON.stringify(first.body)).not.toMatch(/ExitPlanMode|plan mode/i);
  });

  it('enforces a schema that names its draft-2020-12 dialect (what zod 4 writes), which the CLI would otherwise ignore', async () => {
    const server = await fakeServer((request) => (request.hasStructuredOutput && request.toolResults.length === 0 ? reply.json({ isMet: true }) : reply.text('Judged.')));
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const result = await provider.doComplete({
      prompt: '[qoder-orch:judge] Is it met?',
      jsonSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { isMet: { type: 'boolean' } }, required: ['isMet'] },
    });
    expect(result.json).toEqual({ isMet: true });
    expect(mainTurns(server)[0]!.toolNames).toEqual(['StructuredOutput']);
  });

  it('a warm-up starts claude ahead of the prompt: the completion with the same options takes that process, one with other options starts its own, cancel ends what is unused', async () => {
    const byText = routeByText([{ match: '[qoder-orch:judge]', handle: () => 'Met.' }], () => 'Other.');
    const server = await fakeServer((request) => (request.hasStructuredOutput ? (request.toolResults.length === 0 ? reply.json({ isMet: true }) : reply.text('Judged.')) : byText(request)));
    const settings = fakeClaudeCliSettings(server);
    // A wrapper that notes every start of claude, then becomes it.
    const folder = mkdtempSync(join(tmpdir(), 'claude-warm-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const starts = join(folder, 'starts.log');
    const wrapper = join(folder, 'claude');
    writeFileSync(wrapper, `#!/bin/sh\necho "$$" >> ${JSON.stringify(starts)}\nexec ${JSON.stringify(settings.executable)} "$@"\n`, { mode: 0o755 });
    const startCount = () => (existsSync(starts) ? readFileSync(starts, 'utf8').trim().split('\n').length : 0);
    const provider = createClaudeCli({ ...settings, executable: wrapper });
    const cwd = gitRepository();
    const options = { purpose: 'judge' as const, cwd, timeoutMs: 60_000 };
    const warm = provider.doWarmUp!(options);
    for (let waited = 0; startCount() === 0 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(startCount()).toBe(1);
    // Waiting is not a stall and takes no turn: nothing reached the model yet. It outlasts the
    // 3 s Claude Code's text input waits for stdin data (after which it runs without a prompt).
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(mainTurns(server)).toHaveLength(0);
    const prompt = '[qoder-orch:judge] Is it met?\nLine two, "quoted", ünïcode.';
    const result = await provider.doComplete({ ...options, prompt });
    expect(result.text).toBe('Met.');
    expect(mainTurns(server)[0]!.prompt).toBe(prompt);
    expect(startCount()).toBe(1);
    warm.cancel();
    // The judge's kind of call, with a schema, also waits past the 3 s.
    const schemaOptions = { ...options, jsonSchema: { type: 'object', properties: { isMet: { type: 'boolean' } }, required: ['isMet'] } };
    provider.doWarmUp!(schemaOptions);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const verdict = await provider.doComplete({ ...schemaOptions, prompt: '[qoder-orch:judge] verdict' });
    expect(verdict.json).toEqual({ isMet: true });
    expect(startCount()).toBe(2);
    const other = await provider.doComplete({ ...options, purpose: 'other', prompt: 'something else' });
    expect(other.text).toBe('Other.');
    expect(startCount()).toBe(3);
    // An unused warm-up, cancelled: its process ends and no model call was made.
    const unused = provider.doWarmUp!(options);
    for (let waited = 0; startCount() < 4 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const pid = Number(readFileSync(starts, 'utf8').trim().split('\n')[3]);
    unused.cancel();
    for (let waited = 0; isRunning(pid) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isRunning(pid)).toBe(false);
    // The first completion, the verdict (its StructuredOutput call ends it), the other completion.
    expect(mainTurns(server)).toHaveLength(3);
  });

  it('a warm process that dies without a model call is replaced: the completion starts its own and answers', async () => {
    const server = await fakeServer(routeByText([{ match: '[qoder-orch:judge]', handle: () => 'Met.' }], () => 'Other.'));
    const settings = fakeClaudeCliSettings(server);
    // The first start (the warm one) reads its prompt and exits 3 without a word, as a process killed while it waited would; later ones are claude.
    const folder = mkdtempSync(join(tmpdir(), 'claude-warm-crash-'));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const marker = join(folder, 'started-once');
    const wrapper = join(folder, 'claude');
    writeFileSync(wrapper, `#!/bin/sh\nif [ ! -e ${JSON.stringify(marker)} ]; then : > ${JSON.stringify(marker)}; cat > /dev/null; exit 3; fi\nexec ${JSON.stringify(settings.executable)} "$@"\n`, { mode: 0o755 });
    const provider = createClaudeCli({ ...settings, executable: wrapper });
    const options = { purpose: 'judge' as const, cwd: gitRepository(), timeoutMs: 60_000 };
    provider.doWarmUp!(options);
    for (let waited = 0; !existsSync(marker) && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const result = await provider.doComplete({ ...options, prompt: '[qoder-orch:judge] Is it met?' });
    expect(result.text).toBe('Met.');
    expect(mainTurns(server)).toHaveLength(1);
    // A call that failed after the model answered is not made again: an API failure is the call's answer.
    const failing = await fakeServer(() => reply.unauthorized());
    const failingProvider = createClaudeCli(fakeClaudeCliSettings(failing));
    failingProvider.doWarmUp!(options);
    const error = await failureOf(failingProvider.doComplete({ ...options, prompt: '[qoder-orch:judge] Is it met?' }));
    expect(error.code).toBe('AUTH');
    expect(mainTurns(failing)).toHaveLength(1);
  });

  it('answers a plain completion with text, and fails a completion with the API error code', async () => {
    const server = await fakeServer(routeByText([{ match: '[qoder-orch:judge]', handle: () => 'The objective is met.' }], () => reply.unauthorized()));
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    // A repository of its own: Claude Code puts the git log into its system prompt, and this
    // repository's commit messages may well mention plan mode.
    const result = await provider.doComplete({ prompt: '[qoder-orch:judge] Is it met?', cwd: gitRepository() });
    expect(result.text).toBe('The objective is met.');
    expect(result.json).toBeUndefined();
    expect(mainTurns(server)[0]?.hasTools).toBe(false);
    expect(JSON.stringify(mainTurns(server)[0]?.body)).not.toMatch(/ExitPlanMode|plan mode/i);
    const error = await failureOf(provider.doComplete({ prompt: '[qoder-orch:plan] plan' }));
    expect(error.code).toBe('AUTH');
  });

  it('succeeds when a 429 is retried by the CLI itself, reporting the retry', async () => {
    let calls = 0;
    const server = await fakeServer(() => (calls++ === 0 ? reply.rateLimited(1) : reply.text('Fine now.')));
    const events: AgentEvent[] = [];
    const provider = createClaudeCli({ ...fakeClaudeCliSettings(server), maxRetries: 1 });
    const result = await provider.doRunTask({ taskId: 't-rate', prompt: '[qoder-orch:task t-rate] go', cwd: gitRepository(), onEvent: (event) => events.push(event) });
    expect(result.summary).toBe('Fine now.');
    expect(events).toContainEqual(expect.objectContaining({ type: 'retry', attempt: 1, errorStatus: 429 }));
  });

  it('fails with USAGE_LIMIT and the reset time when a subscriber hits the usage limit (the API: 429, unified-status rejected)', async () => {
    const resetsAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2 * 3600_000);
    const server = await fakeServer(() => reply.usageLimit(resetsAt));
    const settings = fakeClaudeCliSettings(server);
    const events: AgentEvent[] = [];
    const error = await failureOf(
      createClaudeCli({ ...settings, env: { ...settings.env, ...server.subscriberEnv } }).doRunTask({ taskId: 't-limit', prompt: '[qoder-orch:task t-limit] go', cwd: gitRepository(), onEvent: (event) => events.push(event) }),
    );
    expect(error).toMatchObject({ code: 'USAGE_LIMIT', isRetryable: false, apiStatus: 429, resetsAt });
    expect(error.message).toMatch(/You've hit your session limit · resets/);
    expect(events).toContainEqual({ type: 'status', message: `usage limit reached; resets at ${resetsAt.toISOString()}` });
    // With an API key the same answer is a plain rate limit.
    const plain = await failureOf(createClaudeCli(settings).doRunTask({ taskId: 't-key', prompt: '[qoder-orch:task t-key] go', cwd: gitRepository() }));
    expect(plain.code).toBe('RATE_LIMITED');
  });

  it('fails with RATE_LIMITED and the delay the API named when 429s persist', async () => {
    const server = await fakeServer(() => reply.error(429, 'Rate limited. Please retry after 30 seconds.', 30));
    const error = await failureOf(createClaudeCli(fakeClaudeCliSettings(server)).doRunTask({ taskId: 't-429', prompt: '[qoder-orch:task t-429] go', cwd: gitRepository() }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', isRetryable: true, apiStatus: 429, retryAfterMs: 30_000 });
  });

  it('runs several tasks at once, each in its own worktree', async () => {
    const repository = gitRepository();
    const ids = ['p1', 'p2', 'p3'];
    const worktrees = ids.map((id) => {
      const path = join(repository, '..', `${repository.split('/').at(-1)}-${id}`);
      execFileSync('git', ['worktree', 'add', '-q', '-b', `task/${id}`, path], { cwd: repository });
      cleanups.push(() => rmSync(path, { recursive: true, force: true }));
      return path;
    });
    const server = await fakeServer(routeByText(ids.map((id, index) => ({ match: `[qoder-orch:task ${id}]`, handle: [reply.write(join(worktrees[index]!, `${id}.txt`), `${id}\n`), reply.text(`${id} done`)] }))));
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const results = await Promise.all(ids.map((id, index) => provider.doRunTask({ taskId: id, prompt: `[qoder-orch:task ${id}] write ${id}.txt`, cwd: worktrees[index]!, allowedTools: ['Write'] })));
    expect(results.map((result) => result.summary)).toEqual(['p1 done', 'p2 done', 'p3 done']);
    ids.forEach((id, index) => expect(readFileSync(join(worktrees[index]!, `${id}.txt`), 'utf8')).toBe(`${id}\n`));
    expect(new Set(results.map((result) => result.sessionId)).size).toBe(3);
  });

  it('fails with AUTH, not retryable, on a 401', async () => {
    const server = await fakeServer(() => reply.unauthorized());
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const error = await failureOf(provider.doRunTask({ taskId: 't-auth', prompt: '[qoder-orch:task t-auth] go', cwd: gitRepository() }));
    expect(error.code).toBe('AUTH');
    expect(error.isRetryable).toBe(false);
    expect(error.apiStatus).toBe(401);
    expect(error.fix).toContain('ANTHROPIC_API_KEY');
    expect(mainTurns(server)).toHaveLength(1);
  });

  it('fails with OVERLOADED, retryable, on 529s after its bounded retries', async () => {
    const server = await fakeServer(() => reply.overloaded());
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const error = await failureOf(provider.doRunTask({ taskId: 't-529', prompt: '[qoder-orch:task t-529] go', cwd: gitRepository() }));
    expect(error).toMatchObject({ code: 'OVERLOADED', isRetryable: true, apiStatus: 529, exitCode: 1 });
  });

  it('kills a run whose API never answers at our outer timeout, leaving no process behind', async () => {
    const server = await fakeServer(() => reply.hang());
    const marker = randomUUID();
    const provider = createClaudeCli({ ...fakeClaudeCliSettings(server), killGraceMs: 500 });
    const error = await failureOf(provider.doRunTask({ taskId: 't-hang', prompt: '[qoder-orch:task t-hang] go', cwd: gitRepository(), timeoutMs: 3_000, env: { QODER_ORCH_TEST_RUN: marker } }));
    expect(error).toMatchObject({ code: 'TIMEOUT', isTimedOut: true, isRetryable: true });
    expect(error.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(processesWithEnvironment('QODER_ORCH_TEST_RUN', marker)).toEqual([]);
  });

  it('kills the tool processes too when a run is ended while a Bash command runs', async () => {
    const repository = gitRepository();
    const pidFile = join(repository, 'shell.pid');
    const server = await fakeServer(sequence([reply.bash(`echo $$ > ${pidFile}; sleep 300`)]));
    const marker = randomUUID();
    const controller = new AbortController();
    // End the run once the command is surely running (its shell wrote its pid).
    const poll = setInterval(() => existsSync(pidFile) && controller.abort(), 50);
    const provider = createClaudeCli({ ...fakeClaudeCliSettings(server), killGraceMs: 500 });
    const error = await failureOf(provider.doRunTask({ taskId: 't-bash', prompt: '[qoder-orch:task t-bash] go', cwd: repository, allowedTools: ['Bash'], abortSignal: controller.signal, env: { QODER_ORCH_TEST_RUN: marker } })).finally(() =>
      clearInterval(poll),
    );
    expect(error.code).toBe('ABORTED');
    expect(processesWithEnvironment('QODER_ORCH_TEST_RUN', marker)).toEqual([]);
  });

  it('kills a stream that stalls after message_start with the stall watchdog', async () => {
    const server = await fakeServer(() => reply.stall());
    const provider = createClaudeCli({ ...fakeClaudeCliSettings(server), stallTimeoutMs: 2_000, killGraceMs: 500 });
    const error = await failureOf(provider.doRunTask({ taskId: 't-stall', prompt: '[qoder-orch:task t-stall] go', cwd: gitRepository(), timeoutMs: 60_000 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('no output');
  });

  it('does not count a long-running tool command as a stall', async () => {
    // The command is silent for longer than the stall limit; the limit stays well above the
    // CLI's own pauses between lines, which stretch to seconds on a loaded 2-core machine.
    const server = await fakeServer(sequence([reply.bash('sleep 9; echo slept'), reply.text('Waited.')]));
    const events: AgentEvent[] = [];
    const provider = createClaudeCli({ ...fakeClaudeCliSettings(server), stallTimeoutMs: 5_000 });
    const result = await provider.doRunTask({ taskId: 't-slow', prompt: '[qoder-orch:task t-slow] go', cwd: gitRepository(), allowedTools: ['Bash'], onEvent: (event) => events.push(event) });
    expect(result.summary).toBe('Waited.');
    expect(events).toContainEqual(expect.objectContaining({ type: 'tool-result', output: expect.stringContaining('slept') }));
  });

  it('ends the run when the caller aborts', async () => {
    const server = await fakeServer(() => reply.hang());
    const controller = new AbortController();
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const error = await failureOf(provider.doRunTask({ taskId: 't-abort', prompt: '[qoder-orch:task t-abort] go', cwd: gitRepository(), abortSignal: controller.signal, onEvent: () => controller.abort() }));
    expect(error).toMatchObject({ code: 'ABORTED', isCanceled: true, isRetryable: false });
  });

  it('reports a denied Write as PERMISSION_DENIED and writes nothing', async () => {
    const repository = gitRepository();
    const server = await fakeServer(sequence([reply.write(join(repository, 'denied.txt'), 'no\n'), reply.text('I could not write it.')]));
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const error = await failureOf(provider.doRunTask({ taskId: 't-deny', prompt: '[qoder-orch:task t-deny] go', cwd: repository, permissionMode: 'dontAsk' }));
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.message).toContain('Write');
    expect(existsSync(join(repository, 'denied.txt'))).toBe(false);
  });

  it('reports MAX_TURNS when the agent needs more turns than allowed', async () => {
    const server = await fakeServer(sequence([reply.bash('echo one'), reply.bash('echo two'), reply.bash('echo three')]));
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const error = await failureOf(provider.doRunTask({ taskId: 't-turns', prompt: '[qoder-orch:task t-turns] go', cwd: gitRepository(), allowedTools: ['Bash'], maxTurns: 1 }));
    expect(error).toMatchObject({ code: 'MAX_TURNS', isRetryable: false });
    expect(error.costUsd).toBeGreaterThan(0);
  });

  it('redacts secret values from events, even when the agent prints them', async () => {
    const secret = `tok-${randomUUID()}`;
    const server = await fakeServer(sequence([reply.bash('echo "the key is $MY_SERVICE_TOKEN"'), reply.text(`Done, key ${secret}.`)]));
    const events: AgentEvent[] = [];
    const provider = createClaudeCli(fakeClaudeCliSettings(server));
    const result = await provider.doRunTask({
      taskId: 't-secret',
      prompt: '[qoder-orch:task t-secret] go',
      cwd: gitRepository(),
      allowedTools: ['Bash'],
      env: { MY_SERVICE_TOKEN: secret },
      onEvent: (event) => events.push(event),
    });
    const toolResult = events.find((event) => event.type === 'tool-result');
    expect(toolResult).toMatchObject({ output: expect.stringContaining('the key is [REDACTED]') });
    expect(JSON.stringify(events)).not.toContain(secret);
    expect(result.summary).not.toContain(secret);
  });

  it('checks the installation for preflight, and fails clearly when the executable is missing', async () => {
    const server = await fakeServer(() => 'unused');
    const check = await createClaudeCli(fakeClaudeCliSettings(server)).doCheck!({});
    expect(check).toMatchObject({ installed: true, version: '2.1.197', authenticated: true, problems: [] });
    const missing = createClaudeCli({ executable: '/nonexistent/claude' });
    const missingCheck = await missing.doCheck!({});
    expect(missingCheck.installed).toBe(false);
    expect(missingCheck.problems[0]?.fix).toContain('npm install');
    const error = await failureOf(missing.doRunTask({ taskId: 't', prompt: 'x', cwd: tmpdir() }));
    expect(error.code).toBe('NOT_INSTALLED');
  });
});
