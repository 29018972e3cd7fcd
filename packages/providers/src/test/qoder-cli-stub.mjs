#!/usr/bin/env node
// A stand-in for `qodercli` that prints the output shapes the real CLI prints (measured with
// qodercli 1.1.52): the `--output-format json` result object (Claude Code's shape), and
// "Not logged in" when there is no token. Directives in the prompt pick a scenario:
// [stub:error] [stub:hang] [stub:denied] [stub:json] [stub:write:<relative path>].
// QODER_STUB_RECORD=<file> records what it was given (argv, cwd, prompt; never the token's value).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const argv = process.argv.slice(2);
if (argv.includes('--version') || argv.includes('-v')) {
  console.log('1.1.52');
  process.exit(0);
}

const flagValue = (...names) => {
  for (const name of names) {
    const index = argv.indexOf(name);
    if (index >= 0 && index < argv.length - 1) return argv[index + 1];
  }
  return undefined;
};
const separator = argv.indexOf('--');
const readStdin = () =>
  new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
  });
const prompt = separator >= 0 ? argv.slice(separator + 1).join(' ') : await readStdin();
const format = flagValue('--output-format', '-o') ?? 'text';
const sessionId = flagValue('--session-id') ?? flagValue('--resume', '-r') ?? randomUUID();
const token = process.env.QODER_PERSONAL_ACCESS_TOKEN;

if (process.env.QODER_STUB_RECORD) {
  writeFileSync(process.env.QODER_STUB_RECORD, JSON.stringify({ argv, cwd: process.cwd(), prompt, hasToken: Boolean(token), isTokenInArgv: Boolean(token) && argv.some((arg) => arg.includes(token)) }));
}

const usage = { input_tokens: 120, cache_creation_input_tokens: 0, cache_read_input_tokens: 30, output_tokens: 40 };
const result = (fields) => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  duration_ms: 1234,
  duration_api_ms: 1000,
  num_turns: 1,
  result: '',
  session_id: sessionId,
  total_cost_usd: 0.0042,
  usage,
  permission_denials: [],
  ...fields,
});

function finish(fields, exitCode = 0) {
  const object = result(fields);
  if (format === 'stream-json') {
    console.log(JSON.stringify({ type: 'system', subtype: 'init', cwd: process.cwd(), session_id: sessionId, tools: ['Read', 'Edit', 'Write', 'Bash'], model: 'qoder-auto', permissionMode: 'default' }));
    if (object.result) console.log(JSON.stringify({ type: 'assistant', message: { id: 'msg_1', role: 'assistant', content: [{ type: 'text', text: object.result }] }, session_id: sessionId }));
    console.log(JSON.stringify(object));
  } else if (format === 'json') {
    console.log(JSON.stringify(object));
  } else {
    console.log(object.result);
  }
  process.exit(exitCode);
}

if (!token) {
  finish({ is_error: true, duration_api_ms: 0, num_turns: 0, result: 'Not logged in · Please run /login', total_cost_usd: 0, usage: { input_tokens: 0, output_tokens: 0 } }, 1);
} else if (prompt.includes('[stub:hang]')) {
  spawn('sleep', ['300'], { stdio: 'ignore' });
  setInterval(() => {}, 1000);
} else if (prompt.includes('[stub:error]')) {
  finish({ subtype: 'error_during_execution', is_error: true, result: 'Model request failed: 503 Service Unavailable', total_cost_usd: 0 }, 1);
} else if (prompt.includes('[stub:denied]')) {
  finish({ num_turns: 2, result: 'I was not allowed to write the file.', permission_denials: [{ tool_name: 'Write', tool_use_id: 'call_1', tool_input: { file_path: 'x.txt' } }] });
} else if (prompt.includes('[stub:json]')) {
  finish({ result: 'Here you go:\n```json\n{"ok": true, "tasks": []}\n```' });
} else {
  const write = /\[stub:write:([^\]]+)\]/.exec(prompt);
  if (write) {
    const target = join(process.cwd(), write[1]);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, 'written by the qoder stub\n');
  }
  finish({ num_turns: write ? 2 : 1, result: `Done: ${prompt.split('\n')[0].slice(0, 80)}` });
}
