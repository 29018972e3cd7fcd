import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type LLMProviderV1, OrchestratorError } from '@qoder-orch/spec';
import { z } from 'zod';
import { type AiSdkModelSettings, createAiSdkProvider, parseAiSdkProviderName } from '../ai-sdk/create-ai-sdk-provider';
import { type ClaudeCliSettings, createClaudeCli } from '../claude/claude-cli-provider';
import { type CommandProviderSettings, createCommandProvider } from '../command/command-provider';
import { type CodexCliSettings, createCodexCli } from '../codex/codex-cli-provider';
import { type GeminiCliSettings, createGeminiCli } from '../gemini/gemini-cli-provider';
import { type QoderCliSettings, createQoderCli } from '../qoder/qoder-cli-provider';

/** The built-in provider names `createProvider` knows, with their aliases. */
export const PROVIDER_NAMES = {
  qoder: ['qoder', 'qodercli', 'qoder-cli'],
  claude: ['claude', 'claude-cli', 'claude-code'],
  codex: ['codex', 'codex-cli'],
  gemini: ['gemini', 'gemini-cli'],
  command: ['command'],
} as const;

export type BuiltinProviderName = keyof typeof PROVIDER_NAMES;

/** Settings any CLI provider accepts; each provider also has its own (see its settings type). */
export type ProviderSettings = ClaudeCliSettings | QoderCliSettings | CodexCliSettings | GeminiCliSettings | CommandProviderSettings | Record<string, unknown>;

/** The shape of the settings fields every built-in provider shares, checked before use. */
const CommonSettingsSchema = z.looseObject({
  executable: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: z.number().int().positive().optional(),
  completeTimeoutMs: z.number().int().positive().optional(),
  killGraceMs: z.number().int().nonnegative().optional(),
  stallTimeoutMs: z.number().int().positive().optional(),
  model: z.string().min(1).optional(),
  maxRetries: z.number().int().nonnegative().optional(),
  isolateConfig: z.boolean().optional(),
  extraArgs: z.array(z.string()).optional(),
});

/** What an `ai-sdk:<provider>/<model>` name takes besides its name (the key itself comes from the environment). */
const AiSdkNameSettingsSchema = z
  .object({
    baseURL: z.string().optional(),
    apiKeyEnv: z.string().optional(),
    maxRetries: z.number().int().nonnegative().optional(),
    timeoutMs: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
  })
  .strict();

export interface CreateProviderOptions {
  /** Where a relative module path is resolved from. @default process.cwd() */
  cwd?: string;
}

function builtinName(name: string): BuiltinProviderName | undefined {
  const lower = name.toLowerCase();
  return (Object.keys(PROVIDER_NAMES) as BuiltinProviderName[]).find((key) => (PROVIDER_NAMES[key] as readonly string[]).includes(lower));
}

function isProvider(value: unknown): value is LLMProviderV1 {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<LLMProviderV1>;
  return candidate.specificationVersion === 'v1' && typeof candidate.doRunTask === 'function' && typeof candidate.doComplete === 'function' && typeof candidate.providerId === 'string';
}

const invalid = (message: string, fix: string, cause?: unknown) => new OrchestratorError({ code: 'CONFIG_INVALID', message, fix, ...(cause === undefined ? {} : { cause }) });

/**
 * A provider by name (`qoder`, `claude`, `codex`, `gemini`, an alias such as `claude-code`, or
 * `command` with `CommandProviderSettings`), an AI SDK model for completions
 * (`ai-sdk:anthropic/claude-sonnet-4-5`, see `createAiSdkProvider`),
 * or from a module (a path like `./my-provider.js`, or a package name) that exports a provider
 * as its default export or as `provider`; an exported factory function is called with
 * `settings`. Used by the CLI's `--llm-provider`.
 */
export async function createProvider(name: string, settings: ProviderSettings = {}, options: CreateProviderOptions = {}): Promise<LLMProviderV1> {
  const aiSdkModel = parseAiSdkProviderName(name);
  if (aiSdkModel) {
    const parsed = AiSdkNameSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`Invalid settings for ${name}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, 'An AI SDK model takes baseURL, apiKeyEnv, maxRetries, timeoutMs, maxOutputTokens and temperature.');
    }
    // zod gives `undefined` for absent keys; the settings type reads them as absent.
    return createAiSdkProvider({ ...aiSdkModel, ...(parsed.data as Omit<AiSdkModelSettings, 'provider' | 'model'>) });
  }
  const builtin = builtinName(name.trim());
  if (builtin) {
    const parsed = CommonSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw invalid(`Invalid settings for the ${builtin} provider: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, 'Fix the provider settings in your configuration.');
    }
    switch (builtin) {
      case 'qoder':
        return createQoderCli(settings as QoderCliSettings);
      case 'claude':
        return createClaudeCli(settings as ClaudeCliSettings);
      case 'codex':
        return createCodexCli(settings as CodexCliSettings);
      case 'gemini':
        return createGeminiCli(settings as GeminiCliSettings);
      case 'command':
        return createCommandProvider(settings as CommandProviderSettings);
    }
  }
  const isPath = name.startsWith('.') || isAbsolute(name) || /\.(c|m)?[jt]s$/.test(name);
  const specifier = isPath ? pathToFileURL(resolve(options.cwd ?? process.cwd(), name)).href : name;
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    throw invalid(
      `Unknown provider "${name}": not one of ${Object.keys(PROVIDER_NAMES).join(', ')}, and it could not be loaded as a module (${(error as Error).message.split('\n')[0]})`,
      'Use qoder, claude, codex, gemini or command, or the path of a module that exports a provider.',
      error,
    );
  }
  for (const exported of [module['default'], module['provider']]) {
    if (isProvider(exported)) return exported;
    if (typeof exported === 'function') {
      const created: unknown = await (exported as (settings: ProviderSettings) => unknown)(settings);
      if (isProvider(created)) return created;
    }
  }
  throw invalid(
    `The module "${name}" exports no provider: its default export or \`provider\` must implement LLMProviderV1 (specificationVersion 'v1', providerId, doComplete, doRunTask), or be a function returning one.`,
    'Export your provider as `export default` or `export const provider`.',
  );
}
