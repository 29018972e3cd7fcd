import { join } from 'node:path';
import { type LLMProviderV1, type ConfigOverrides, type EventEnvelope, FileRunStore, OrchestratorError, type Plan, redactJson, redactOutput, type RunSummary, runSecretValues, startPreflightProbes } from '@qoder-orch/core';
import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { printError } from '../cli/print-error';
import { createCommandApprover } from '../cli/ask-commands';
import { UsageError } from '../cli/usage-error';
import { ORCHESTRATION_LOG, OrchestrationLog } from '../log/orchestration-log';
import { ConsoleRenderer } from '../render/console-renderer';
import { createJsonLinesWriter } from '../render/json-lines';
import { renderPlan } from '../render/plan-block';
import { createStyle, isColorWanted, type Style } from '../render/terminal-style';
import { renderValidationReport } from '../render/validation-report-block';
import { buildOrchestrator, coreFormatters, loadCliConfig, resolveProvider, resolvePurposeProvider, validateProject } from './build-orchestrator';
import { exitCodeOfError, exitCodeOfSummary } from './exit-code-of';
import { queueProvider } from './queue-execution';
import { resolveProjectDirectory } from './project-directory';
import { branchLines, deliverRunPullRequest } from './deliver-run';
import { terminalSafe } from '../render/terminal-safe';

/** The artifact name of the HTML report in the run folder. */
export const REPORT_FILE = 'report.html';

export type RunMode = { kind: 'run'; objective: string } | { kind: 'plan'; objective: string } | { kind: 'validate' } | { kind: 'resume'; runId?: string };

/** What a caller (the demo, an embedding program, a test) can fix instead of the flags. */
export interface RunDependencies {
  /** Used instead of resolving `llm.provider`. */
  provider?: LLMProviderV1;
  /** Used instead of `--project-dir`. */
  projectDir?: string;
  /** Merged under the flags' overrides. */
  overrides?: ConfigOverrides;
  /** More values to keep out of every output. */
  secretValues?: readonly string[];
  /** What to tell the user after Ctrl-C instead of the `--resume` command (the demo cannot be resumed). */
  cancelHint?: string;
}

function mergeOverrides(base: ConfigOverrides = {}, top: ConfigOverrides = {}): ConfigOverrides {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const layer of [base, top]) {
    for (const [section, values] of Object.entries(layer)) merged[section] = { ...(merged[section] ?? {}), ...(values as Record<string, unknown>) };
  }
  return merged as ConfigOverrides;
}

/** Where human text goes: stdout normally, stderr with --json (stdout carries only events). */
function humanOutput(io: CliIo, options: CommonOptions) {
  return options.isJson ? io.stderr : io.stdout;
}

export function styleFor(io: CliIo, options: CommonOptions): Style {
  const env = io.env ?? process.env;
  return createStyle(isColorWanted({ output: humanOutput(io, options), env, isColorAllowed: options.isColorAllowed, isJson: options.isJson }));
}

/**
 * Runs one objective (or plans it, validates the project, or resumes a run) and renders it.
 * Returns the exit code; never throws.
 */
export async function executeRun(mode: RunMode, options: CommonOptions, io: CliIo, dependencies: RunDependencies = {}): Promise<ExitCode> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const style = styleFor(io, options);
  const human = humanOutput(io, options);
  const extra = dependencies.secretValues ?? [];
  // The environment's secrets at once; the project's dotenv secrets as soon as the project is known.
  let secretValues = runSecretValues({ env, extra });
  const redact = (text: string) => redactOutput(text, secretValues);
  let renderer: ConsoleRenderer | undefined;
  let closeQueue: (() => Promise<void>) | undefined;
  try {
    const projectDir = dependencies.projectDir ?? (await resolveProjectDirectory(options.projectDir, cwd));
    // Preflight's slow, stable checks (git's version, which starts the git spawn helper; each
    // provider's --version) start now, in other processes, while this one reads the
    // configuration, loads the rest and builds the orchestrator. A resumed run has no preflight.
    const probes = mode.kind === 'run' || mode.kind === 'validate' ? startPreflightProbes(projectDir, io.abortSignal ? { abortSignal: io.abortSignal } : {}) : undefined;
    secretValues = runSecretValues({ env, projectDir, extra });
    const { config } = await loadCliConfig({
      projectDir,
      ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
      env,
      overrides: mergeOverrides(dependencies.overrides, options.overrides),
    });
    const runStore = new FileRunStore({ directory: join(projectDir, '.qoder-orch', 'runs') });
    // Input first: an unknown run is reported before any agent CLI is looked for.
    const resumeId = mode.kind === 'resume' ? await runToResume(runStore, mode.runId, projectDir) : undefined;
    const queueSettings = options.queue ?? (config.queue.redis ? { redis: config.queue.redis, remote: config.queue.remote, ...(config.queue.name ? { queue: config.queue.name } : {}) } : undefined);
    const queued = await queueProvider(queueSettings, dependencies.provider ?? (await resolveProvider(config.llm.provider, { cwd })), config.llm.provider, config.queue.connectionLossSeconds);
    closeQueue = queued.close;
    const provider = queued.provider;
    const planProvider = await resolvePurposeProvider(config.llm.planProvider, { cwd, key: 'llm.plan_provider' });
    const judgeProvider = await resolvePurposeProvider(config.llm.judgeProvider, { cwd, key: 'llm.judge_provider' });
    for (const checked of [provider, planProvider, judgeProvider]) if (checked !== undefined) probes?.checkProvider(checked);
    const formatters = await coreFormatters();

    if (mode.kind === 'validate') {
      const completionProviders = [planProvider, judgeProvider].filter((candidate) => candidate !== undefined);
      const report = await validateProject({ projectDir, provider, completionProviders, config, ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}), ...(probes ? { probes } : {}) });
      if (options.isJson) io.stdout.write(`${redact(JSON.stringify(redactJson({ type: 'preflight-end', timestamp: new Date().toISOString(), report }, secretValues)))}\n`);
      else human.write(`${redact(formatters.formatPreflightReport ? formatters.formatPreflightReport(terminalSafe(report)) : renderValidationReport(terminalSafe(report), style))}\n`);
      return report.isPassed ? EXIT_CODES.met : EXIT_CODES.failed;
    }

    // Warnings of the parts being wired (and later ones, e.g. the context store's) are printed
    // once the renderer is set up, and go to the run's log too.
    const warnings: Array<{ code: string; message: string }> = [];
    let warn = (code: string, message: string) => {
      warnings.push({ code, message });
    };
    const orchestrator = await buildOrchestrator({
      projectDir,
      config,
      provider,
      ...(planProvider ? { planProvider } : {}),
      ...(judgeProvider ? { judgeProvider } : {}),
      runStore,
      secretValues,
      ...(options.branch !== undefined ? { branch: options.branch } : options.pullRequest ? { branch: true as const } : {}),
      warn: (code, message) => warn(code, message),
      ...(probes ? { probes } : {}),
    });
    const events: EventEnvelope[] = [];
    let hasPlanEvent = false;
    if (options.isJson) {
      const writeJson = createJsonLinesWriter(io.stdout, secretValues);
      orchestrator.on('event', writeJson);
    } else {
      renderer = new ConsoleRenderer({
        output: io.stdout,
        style,
        isLive: io.stdout.isTTY === true && env['TERM'] !== 'dumb',
        isVerbose: options.isVerbose,
        secretValues,
        ...formatters,
      });
      const activeRenderer = renderer;
      orchestrator.on('event', (event) => activeRenderer.handle(event));
    }
    const printWarning = (code: string, message: string) => {
      if (renderer) renderer.warn(code, message);
      else human.write(`${style.yellow('!')} ${code}: ${redact(message)}\n`);
    };
    for (const warning of warnings) printWarning(warning.code, warning.message);
    warn = printWarning;
    orchestrator.on('event', (event) => {
      events.push(event);
      if (event.type === 'plan-end') hasPlanEvent = true;
    });
    const abort = io.abortSignal ? { abortSignal: io.abortSignal } : {};
    // Commands the policy holds for approval are asked about on a terminal; elsewhere they are refused.
    const isAsking = config.validation.commandPolicy.mode === 'ask' && io.stdin?.isTTY === true && !options.isJson;
    const approval = isAsking && io.stdin ? { approveCommands: createCommandApprover({ input: io.stdin, output: human, style, ...abort }) } : {};

    if (mode.kind === 'plan') {
      const plan: Plan = await orchestrator.plan(mode.objective, abort);
      renderer?.close();
      if (options.isJson && !hasPlanEvent) io.stdout.write(`${redact(JSON.stringify(redactJson({ type: 'plan', plan }, secretValues)))}\n`);
      if (!options.isJson && !hasPlanEvent) human.write(`${redact(renderPlan(terminalSafe(plan), 1, style))}\n`);
      human.write(`${style.dim('Plan only: nothing was changed. Run without --plan-only to carry it out.')}\n`);
      return EXIT_CODES.met;
    }

    const log = new OrchestrationLog({ runStore, secretValues });
    orchestrator.on('event', (event) => log.handle(event));
    warn = (code, message) => {
      printWarning(code, message);
      log.note(new Date().toISOString(), `warning ${code}: ${message}`);
    };
    let exitCode: ExitCode;
    let runId = resumeId ?? orchestrator.runId;
    let summary: RunSummary | undefined;
    try {
      // The run's own git work waits for the probe's: asked while the probe's git still starts
      // the spawn helper, it would start a second helper (another Node start) just to wait.
      await probes?.gitInstalled;
      summary = mode.kind === 'resume' ? await orchestrator.resume(resumeId!, { ...abort, ...approval }) : await orchestrator.run(mode.objective, { ...abort, ...approval });
      runId = summary.runId;
      exitCode = exitCodeOfSummary(summary);
    } catch (error) {
      log.note(new Date().toISOString(), `run failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      renderer?.close();
      printError(io.stderr, error, style, redact);
      exitCode = exitCodeOfError(error);
    }
    renderer?.close();
    await log.flush().catch((error) => human.write(`${style.yellow('!')} could not write ${ORCHESTRATION_LOG}: ${error instanceof Error ? error.message : String(error)}\n`));
    const runDirectory = runStore.runDirectory(runId);
    const storedEvents = await runStore.readEvents(runId).catch(() => [] as EventEnvelope[]);
    const reportEvents = storedEvents.length >= events.length ? storedEvents : events;
    if (reportEvents.length > 0) {
      // The events are redacted already; the page is checked once more as written (HTML-escaped forms included).
      // The report's renderer is loaded only now: it is no start-up cost of a run.
      const [{ renderHtmlReport }, { reportFromEvents }] = await Promise.all([import('../report/html-report'), import('../report/run-report')]);
      await runStore.writeArtifact(runId, REPORT_FILE, redact(renderHtmlReport(reportFromEvents(redactJson(reportEvents, secretValues)), { generatedAt: new Date().toISOString() })));
      human.write(`\nReport: ${join(runDirectory, REPORT_FILE)}\nLog:    ${join(runDirectory, ORCHESTRATION_LOG)}\n`);
    }
    if (summary?.branch !== undefined) human.write(branchLines(summary, projectDir, style));
    if (options.pullRequest && summary !== undefined) {
      await deliverRunPullRequest({ summary, runStore, events: reportEvents, projectDir, remote: options.pullRequest.remote, env, redact, output: human, style, ...abort });
    }
    if (exitCode === EXIT_CODES.cancelled && summary?.stopReason === 'usage-limit') {
      human.write(`${style.yellow('Stopped at a usage limit.')} The run's state is saved with the reset time; resuming waits for it:\n  qoder-orchestrate --resume ${runId} --project-dir ${projectDir}\n`);
    } else if (exitCode === EXIT_CODES.cancelled) {
      human.write(
        dependencies.cancelHint === undefined
          ? `${style.yellow('Cancelled.')} The run's state is saved. Resume it with:\n  qoder-orchestrate --resume ${runId} --project-dir ${projectDir}\n`
          : `${style.yellow('Cancelled.')} ${dependencies.cancelHint}\n`,
      );
    }
    return exitCode;
  } catch (error) {
    renderer?.close();
    printError(io.stderr, error, style, redact);
    return exitCodeOfError(error);
  } finally {
    await closeQueue?.();
  }
}

async function runToResume(runStore: FileRunStore, runId: string | undefined, projectDir: string): Promise<string> {
  if (runId !== undefined) {
    let state;
    try {
      state = await runStore.readState(runId);
    } catch (error) {
      if (OrchestratorError.isInstance(error) && error.code === 'RUN_NOT_FOUND') throw new UsageError(`${error.message}.`, 'List the runs with `qoder-orchestrate runs`.');
      throw error;
    }
    if (!state) throw new UsageError(`There is no run ${runId} in ${join(projectDir, '.qoder-orch', 'runs')}.`, 'List the runs with `qoder-orchestrate runs`.');
    if (state.status === 'met') throw new UsageError(`Run ${runId} already met its objective; there is nothing to resume.`, 'Start a new run for a new objective.');
    return runId;
  }
  const runs = await runStore.listRuns();
  // What `--resume <id>` accepts: any run that has not met its objective (killed, stopped with
  // Ctrl-C, failed or not met yet). The newest is the one last worked on.
  const resumable = runs.filter((run) => run.status !== 'met').sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.startedAt.localeCompare(a.startedAt));
  const newest = resumable[0];
  if (!newest) throw new UsageError(`There is no run to resume in ${join(projectDir, '.qoder-orch', 'runs')}: every run met its objective.`, 'List the runs with `qoder-orchestrate runs`; start a new run with an objective.');
  return newest.runId;
}
