import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExecutable } from '../process/find-executable';
import type { ClaudeCliSettings } from '../claude/claude-cli-provider';
import type { FakeAnthropicServer } from './fake-anthropic-server';
import { scratchHome } from './scratch-home';

export interface FakeClaudeCommandOptions {
  /** `CLAUDE_CONFIG_DIR` for the run. @default a new temporary directory */
  configDir?: string;
  /** How often the CLI retries a failed API call. @default 0 (tests stay fast) */
  maxRetries?: number;
  /** `API_TIMEOUT_MS`. @default 10_000 */
  apiTimeoutMs?: number;
  /** The `claude` executable. @default the project's, found like `findClaudeExecutable()` */
  executable?: string;
}

export interface FakeClaudeCommand {
  /** Absolute path of the `claude` executable. */
  executable: string;
  /** Arguments for a headless streamed run; add the prompt (or pass it on stdin) and your flags. */
  args: string[];
  /** The complete environment for the child: the fake server's, an isolated config dir, PATH and HOME. */
  env: Record<string, string>;
  configDir: string;
}

/**
 * What it takes to run the real `claude` binary against a fake Anthropic server: the executable,
 * base arguments (`-p --output-format stream-json --verbose`) and a complete, isolated
 * environment. Throws when Claude Code is not installed.
 */
export function fakeClaudeCommand(server: FakeAnthropicServer, options: FakeClaudeCommandOptions = {}): FakeClaudeCommand {
  const executable = options.executable ?? findExecutable(['claude']);
  if (!executable) throw new Error('Claude Code is not installed: add @anthropic-ai/claude-code as a devDependency (the `claude` bin was not found).');
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), 'fake-claude-config-'));
  return {
    executable,
    args: ['-p', '--output-format', 'stream-json', '--verbose'],
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: configDir,
      ...server.env,
      CLAUDE_CONFIG_DIR: configDir,
      CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 0),
      API_TIMEOUT_MS: String(options.apiTimeoutMs ?? 10_000),
    },
    configDir,
  };
}

/**
 * Settings for `createClaudeCli` that point the real `claude` at a fake server, with an isolated
 * config directory per run, a temporary `HOME` and no retries (spread them and override what
 * you need). The temporary `HOME` matters: Claude's Bash tool starts login shells that source
 * `~/.bashrc`, and the user's shell setup (pyenv, nvm …) makes tests slow or hang.
 */
export function fakeClaudeCliSettings(server: FakeAnthropicServer, options: Omit<FakeClaudeCommandOptions, 'configDir'> = {}): ClaudeCliSettings & { executable: string; env: Record<string, string> } {
  const executable = options.executable ?? findExecutable(['claude']);
  if (!executable) throw new Error('Claude Code is not installed: add @anthropic-ai/claude-code as a devDependency (the `claude` bin was not found).');
  return {
    executable,
    env: { ...server.env, HOME: scratchHome() },
    isolateConfig: true,
    maxRetries: options.maxRetries ?? 0,
    apiTimeoutMs: options.apiTimeoutMs ?? 10_000,
  };
}
