import { z } from 'zod';
import { splitCommandLine } from '../commands/command-line';

/** A user's command: a command line split into words (no shell), or an argument vector. */
const CommandLineSchema = z.union([
  z.string().superRefine((line, context) => {
    const argv = splitCommandLine(line);
    if ('error' in argv) context.addIssue({ code: 'custom', message: argv.error });
  }),
  z.array(z.string()).min(1),
]);

/**
 * The provider for one purpose (planning, judging): a name as `llm.provider` takes, or the name
 * with the settings an AI SDK model needs (the key itself stays in the environment).
 */
export const PurposeProviderSchema = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      /** The API's base URL (an OpenAI-compatible server such as Ollama or vLLM, a proxy). */
      baseUrl: z.url({ protocol: /^https?$/ }).optional(),
      /** The environment variable holding the API key. */
      apiKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
        .optional(),
    })
    .strict(),
]);
export type PurposeProvider = z.infer<typeof PurposeProviderSchema>;

/**
 * The configuration as the SDK takes it: camelCase keys. `.qoder-orchestrate.yaml` writes the
 * same keys in snake_case (`execution.max_parallel`); the config loader maps them, and names
 * the file's keys in its errors. Every key is optional; defaults fill the rest.
 */
export const ConfigSchema = z
  .object({
    execution: z
      .object({
        /** Tasks at once. @default 3 */
        maxParallel: z.number().int().min(1).max(64).default(3),
        /** Plan → run → judge rounds. @default 3 */
        maxIterations: z.number().int().min(1).max(50).default(3),
        /** Start tasks whose dependencies are still running, in their own worktree. @default false */
        enableSpeculative: z.boolean().default(false),
        /** Send small same-agent tasks to one agent invocation. @default false */
        enableBatchProcessing: z.boolean().default(false),
        /** With batch processing: the most tasks in one agent invocation. @default 4 */
        batchMaxTasks: z.number().int().min(2).max(20).default(4),
        /** With batch processing: only tasks estimated at most this long are batched. @default 10 */
        batchMaxEstimateMinutes: z.number().positive().max(1440).default(10),
        /** `worktree`: each task in its own git worktree; `shared`: all in the repository. @default 'auto' (worktree when maxParallel > 1) */
        isolation: z.enum(['auto', 'worktree', 'shared']).default('auto'),
        /** Stop the run cleanly when the spend passes this. */
        budgetUsd: z.number().positive().optional(),
        /** Per task, in seconds. @default 1800 */
        taskTimeout: z.number().int().positive().max(86_400).default(1800),
        /** The project's own test command (argument vector), run as evidence after each iteration. */
        testCommand: z.array(z.string().min(1)).min(1).optional(),
        /**
         * Accept the run's changes to the checks themselves (test scripts, runner config, CI,
         * deleted or skipped tests). Off: such a change keeps the run from being met. @default false
         */
        acceptCheckChanges: z.boolean().default(false),
        /** Allow a dirty work tree (snapshotted first). @default false */
        allowDirty: z.boolean().default(false),
        /**
         * Where task worktrees live: a folder outside the project (`~/` allowed; relative to the
         * project otherwise), one sub-folder per repository. @default `${XDG_CACHE_HOME:-~/.cache}/qoder-orch/worktrees`
         */
        worktreeRoot: z.string().min(1).optional(),
        /** On a merge conflict: `resolve` schedules a conflict-resolution task, `replan` rolls back and replans. @default 'resolve' */
        onConflict: z.enum(['resolve', 'replan']).default('resolve'),
      })
      .strict()
      .prefault({}),
    llm: z
      .object({
        /** `qoder`, `claude`, `codex`, `gemini`, or a module path exporting a provider. @default 'qoder' */
        provider: z.string().min(1).default('qoder'),
        /**
         * Plans instead of `provider`: any provider name, usually an AI SDK model
         * (`ai-sdk:anthropic/claude-sonnet-4-5`), or `{ name, base_url, api_key_env }`.
         * @default provider
         */
        planProvider: PurposeProviderSchema.optional(),
        /** Judges instead of `provider`, written like `plan_provider`. @default provider */
        judgeProvider: PurposeProviderSchema.optional(),
        /** Seconds for planning and judging calls. @default 300 */
        timeout: z.number().int().positive().max(86_400).default(300),
        model: z.string().optional(),
      })
      .strict()
      .prefault({}),
    semanticSearch: z
      .object({
        enabled: z.boolean().default(true),
        /** @default 'Xenova/all-MiniLM-L6-v2' */
        modelName: z.string().min(1).default('Xenova/all-MiniLM-L6-v2'),
        similarityThreshold: z.number().min(-1).max(1).default(0.25),
        /** Where models are looked up; the hub is used only when `allowRemote` is on. */
        modelDir: z.string().optional(),
        allowRemote: z.boolean().default(true),
        /** Tokens of context per task. @default 4000 */
        tokenBudget: z.number().int().positive().default(4000),
        extraPaths: z.array(z.string()).default([]),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        enabled: z.boolean().default(true),
        maxSizeMb: z.number().positive().max(100_000).default(100),
        ttlSeconds: z.number().int().positive().default(86_400),
      })
      .strict()
      .prefault({}),
    retry: z
      .object({
        /** Attempts per task, the first included. @default 3 */
        maxAttempts: z.number().int().min(1).max(20).default(3),
        /** Each wait is the previous times this. @default 2 */
        backoffFactor: z.number().min(1).max(10).default(2),
        /** First wait in ms. @default 1000 */
        initialDelayMs: z.number().int().nonnegative().default(1000),
        /** Longest wait in ms. @default 60000 */
        maxDelayMs: z.number().int().nonnegative().default(60_000),
        /** Concurrency halved by a rate limit comes back a slot at a time once none was seen for this long. @default 30 */
        rateLimitCooldownSeconds: z.number().nonnegative().max(3600).default(30),
        /**
         * A subscription's usage limit: `wait` pauses the provider's tasks until the reset and
         * continues by itself; `exit` stops the run resumable, with the reset time in its state
         * (`--resume` waits for it). @default 'wait'
         */
        onUsageLimit: z.enum(['wait', 'exit']).default('wait'),
        /** The pause when the provider names no reset time. @default 3600 */
        usageLimitWaitSeconds: z
          .number()
          .nonnegative()
          .max(7 * 86_400)
          .default(3600),
        /** Added to a named reset time before work starts again. @default 60 */
        usageLimitMarginSeconds: z.number().nonnegative().max(3600).default(60),
      })
      .strict()
      .prefault({}),
    rollback: z
      .object({
        enabled: z.boolean().default(true),
        createCheckpoints: z.boolean().default(true),
        autoRollbackOnFailure: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    validation: z
      .object({
        enabled: z.boolean().default(true),
        failOnWarnings: z.boolean().default(false),
        /**
         * Which verify commands a plan may run. Allowed: the project's own package scripts and
         * make targets (as they were when the run started) and known test runners and build
         * tools. Refused: shells, network tools, inline code, downloads, paths outside the project.
         */
        commandPolicy: z
          .object({
            /** `refuse`: anything else is refused; `ask`: anything else is put to the user (refused when no one can answer); `allow-all`: everything runs. @default 'ask' */
            mode: z.enum(['refuse', 'ask', 'allow-all']).default('ask'),
            /** Extra command lines to allow: words match arguments, `*` any characters, a final `**` any further arguments. */
            allow: z.array(z.string().min(1)).default([]),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** What every task worktree gets besides the checkout (isolation `worktree`), and the environment of every task. */
    workspace: z
      .object({
        /**
         * A file at the repository root of gitignore-style patterns naming ignored files to copy
         * into each worktree (`.env.local`, `config/*.local.json`), as Claude Code and Conductor read it. @default '.worktreeinclude'
         */
        includeFile: z.string().min(1).default('.worktreeinclude'),
        /**
         * The main checkout's installed dependency folders (`node_modules`, `.venv`, `venv`) in each
         * worktree: `link` (shared with your checkout: agents are told not to install, and a change
         * fails the task), `copy` (a private copy per worktree, cloned where the file system can),
         * `none`. @default 'link'
         */
        dependencies: z.enum(['link', 'copy', 'none']).default('link'),
        /** Commands run in each new worktree before a task uses it (no shell), with the task's environment. */
        setup: z.array(CommandLineSchema).default([]),
        /** Commands run in a worktree before it is removed. */
        teardown: z.array(CommandLineSchema).default([]),
        /** Seconds each setup command may take. @default 600 */
        commandTimeout: z.number().int().positive().max(86_400).default(600),
        /** Seconds each teardown command may take before it is stopped (a warning). @default the smaller of commandTimeout and 60 */
        teardownTimeout: z.number().int().positive().max(86_400).optional(),
        /** The first port of the first slot's range; slot `n` gets `portBase + n * portsPerTask`. @default 41000 */
        portBase: z.number().int().min(1024).max(65_535).default(41_000),
        /** Ports reserved for each running task (`PORT` is the first). @default 10 */
        portsPerTask: z.number().int().min(1).max(1000).default(10),
      })
      .strict()
      .prefault({}),
    /**
     * Queue execution (`@qoder-orch/distributed`): with `redis` set, each task attempt's agent runs
     * on a worker (`qoder-orchestrate worker`) instead of in this process; planning, checks,
     * merges and the judge stay here. The `--redis`, `--remote` and `--queue` flags win.
     */
    queue: z
      .object({
        /** The Redis the workers take attempts from (`redis://` or `rediss://`); put a password in `QODER_ORCH_REDIS`, not in the file. Unset: tasks run here. */
        redis: z
          .string()
          .regex(/^rediss?:\/\/\S+$/, 'a redis:// or rediss:// URL')
          .optional(),
        /** A remote name of the project's repository, or a git URL the workers reach: code travels through it. @default 'origin' */
        remote: z.string().min(1).default('origin'),
        /** The queue's name (several coordinators can share one Redis). @default the distributed package's */
        name: z.string().min(1).optional(),
        /** How long Redis may not answer while attempts wait before the run stops (resumable) with QUEUE_UNAVAILABLE. @default 30 */
        connectionLossSeconds: z.number().positive().max(3600).default(30),
      })
      .strict()
      .prefault({}),
    learning: z
      .object({
        /** Apply wiki proposals as a commit; otherwise keep them for review. @default false */
        autoApply: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Deeply partial, for explicit options and environment overrides. */
export type ConfigOverrides = { [S in keyof Config]?: Partial<Config[S]> };
