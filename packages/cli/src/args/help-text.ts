/** The text of `qoder-orchestrate --help`. Kept true to parse-arguments.ts and exit-codes.ts. */
export const HELP_TEXT = `qoder-orchestrate: turn one development objective into parallel agent tasks in your git repository.

Usage
  qoder-orchestrate "<objective>" [options]     plan, run, verify and iterate until the objective is met
  qoder-orchestrate --resume [runId] [options]  continue a run that has not met its objective (default: the newest)
  qoder-orchestrate init [--force]              write a commented .qoder-orchestrate.yaml (detected test command,
                                                chosen providers), list the subagents found, check the providers
  qoder-orchestrate demo                        the whole pipeline offline on a sample project
  qoder-orchestrate runs                        list the runs kept in .qoder-orch/runs
  qoder-orchestrate checkpoints [list|prune]    list or prune git checkpoints (--run <runId> for one run);
                                                prune also removes kept task worktrees (their work kept in refs),
                                                and without --run the idle worktree pool
  qoder-orchestrate checkpoints worktrees       list the task worktrees kept outside the project
  qoder-orchestrate worker --redis <url> --workdir <dir> [--concurrency N] [--llm-provider name]
                                                take task attempts from the queue and run them here
  qoder-orchestrate worker prune [--remote origin] [--older-than 7d]
                                                delete from the shared git remote the result branches and
                                                published bases of runs that are over (finished in
                                                .qoder-orch/runs, or started longer ago than --older-than)

Options
  --project-dir <dir>       the project (a git repository)                      default: current directory
  --config <file>           config file instead of <project>/.qoder-orchestrate.yaml
  --llm-provider <name>     qoder | claude | codex | gemini | <path to a module exporting a provider>
                                                                                 default: qoder
  --plan-provider <name>    plans instead: ai-sdk:<anthropic|openai|google|openai-compatible>/<model>
                            (e.g. ai-sdk:anthropic/claude-sonnet-4-5), or a name as --llm-provider takes;
                            tasks still run through --llm-provider                default: --llm-provider
  --judge-provider <name>   judges instead, written like --plan-provider            default: --llm-provider
  --max-parallel <n>        tasks at once (1-64)                                default: 3
  --max-iterations <n>      plan → run → judge rounds (1-50)                    default: 3
  --budget-usd <amount>     stop cleanly when the spend passes this
  --on-usage-limit wait|exit
                            at a subscription's usage limit: pause until it resets and
                            continue (wait, the default), or stop resumable (exit)
  --isolation <mode>        worktree (each task in its own git worktree) | shared (all in the repository)
                                                                                 default: worktree when max-parallel > 1
  --auto-rollback           roll a task that fails for good back to its checkpoint
  --allow-dirty             run on a work tree with uncommitted changes: they are set aside and put back after
  --accept-check-changes    accept the run's changes to the checks themselves (test scripts, runner config,
                            CI, deleted or skipped tests); without it such a change keeps the run from being met
  --plan-only               print the plan and change nothing
  --validate-only           run the pre-flight checks (VALIDATION REPORT) and stop
  --resume [runId]          continue a run (interrupted, failed or not met): finished tasks are kept, running ones rerun
  --redis <url>             run task attempts on workers through a queue in this Redis (redis://host:6379)
  --branch <name>           work on a new branch made from HEAD; your branch and files stay as they are
  --pr                      push the run's branch and open a draft pull request with gh (or print the
                            commands); implies a branch, named qoder-orch/run-<run-id> without --branch
  --remote <name|url>       with --redis: the git remote the workers fetch from and push to; with --pr:
                            the remote the branch is pushed to  default: origin
  --queue <name>            with --redis (and for worker): the queue's name     default: qoder-orch-tasks
  --workdir <dir>           worker: where it keeps its mirrors and task worktrees
  --concurrency <n>         worker: attempts at once (1-64)                     default: 1
  --json                    one JSON event per line on stdout, nothing else (for CI and scripts)
  --verbose                 every agent action, not just task starts and ends
  --no-color                no colours (also when NO_COLOR is set or output is not a terminal)
  -h, --help                this help
  --version                 the version

Where settings come from (later wins)
  built-in defaults < .qoder-orchestrate.yaml (or --config) < QODER_ORCH_* environment variables
  (QODER_ORCH_MAX_PARALLEL, QODER_ORCH_MAX_ITERATIONS, QODER_ORCH_LLM_PROVIDER, QODER_ORCH_PLAN_PROVIDER,
  QODER_ORCH_JUDGE_PROVIDER, QODER_ORCH_BUDGET_USD, QODER_ORCH_ISOLATION, QODER_ORCH_AUTO_ROLLBACK …) < the flags above.
  Flags set: execution.max_parallel, execution.max_iterations, execution.budget_usd, execution.isolation, retry.on_usage_limit,
  execution.allow_dirty, llm.provider, llm.plan_provider, llm.judge_provider, rollback.auto_rollback_on_failure.

Planning and judging with any model
  An AI SDK model plans and judges in one HTTP request each; its API key is read from the environment
  (ANTHROPIC_API_KEY, OPENAI_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY, or llm.*_provider.api_key_env).
  ai-sdk:anthropic/<model> also follows ANTHROPIC_BASE_URL as Claude Code does. In the config file:
    llm:
      provider: claude
      plan_provider: ai-sdk:anthropic/claude-sonnet-4-5
      judge_provider: { name: "ai-sdk:openai-compatible/qwen2.5-coder:14b", base_url: "http://localhost:11434/v1" }

What a run leaves
  .qoder-orch/runs/<runId>/   plan.json, events.ndjson, state.json, state-changes.ndjson, orchestration.log, report.html, tasks/*.log
  task worktrees              outside the project, in ~/.cache/qoder-orch/worktrees/<project>-<hash>/.pool/<k>
                              (execution.worktree_root, QODER_ORCH_WORKTREE_ROOT): a pool reused by the next
                              tasks and runs (\`checkpoints prune\` without --run removes it); a failed task's
                              kept in <runId>/<taskId> there until the next run or \`checkpoints prune\`
  specs/plan.json, plan-iteration-<n>.json   the latest plan and each iteration's
  specs/integration_registry.json   the interfaces tasks defined for each other

Exit codes
  0    the objective was met (or --plan-only / --validate-only / a listing succeeded)
  1    the run ended without meeting the objective (judge said not met, max iterations, no progress,
       or the budget was spent)
  2    the run failed (pre-flight checks, an agent CLI missing, a git or run-store error, a bug)
  3    invalid input (unknown flag, bad value, bad config file, unknown run)
  130  cancelled with Ctrl-C; resume with --resume <runId>

Examples
  qoder-orchestrate "Add due dates to todos, with API, UI and tests"
  qoder-orchestrate "Add user authentication" --llm-provider claude --max-parallel 4 --budget-usd 5
  qoder-orchestrate "Add rate limiting" --llm-provider claude --plan-provider ai-sdk:anthropic/claude-sonnet-4-5 \\
      --judge-provider ai-sdk:openai/gpt-4.1
  qoder-orchestrate "Add password reset" --branch feature/password-reset --pr
  qoder-orchestrate "Migrate the store to SQLite" --plan-only
  qoder-orchestrate --validate-only --project-dir ../my-app
  qoder-orchestrate "Fix the flaky tests" --json > events.ndjson
  qoder-orchestrate --resume 20261125-174512-ab12
  qoder-orchestrate demo
  qoder-orchestrate worker --redis redis://queue-host:6379 --workdir /var/tmp/qoder-worker --llm-provider claude
  qoder-orchestrate "Add search" --redis redis://queue-host:6379 --remote origin --max-parallel 8
`;
