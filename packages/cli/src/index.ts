/**
 * @qoder-orch/cli: the reference command line (`qoder-orchestrate`) and its renderers, usable
 * from programs too. This file is the package's only public entry; every export is named here.
 */

// ── the command ─────────────────────────────────────────────────────────────
export { runCli } from './cli/run-cli';
export type { CliIo, CliOutput } from './cli/cli-io';
export { EXIT_CODES } from './cli/exit-codes';
export type { ExitCode } from './cli/exit-codes';
export { UsageError } from './cli/usage-error';
export { CLI_VERSION } from './cli/version';
export { parseArguments } from './args/parse-arguments';
export type { CliCommand, CommonOptions } from './args/parse-arguments';
export { HELP_TEXT } from './args/help-text';
export { executeRun, REPORT_FILE } from './run/run-command';
export type { RunDependencies, RunMode } from './run/run-command';

// ── rendering from events ───────────────────────────────────────────────────
export { ConsoleRenderer } from './render/console-renderer';
export type { ConsoleRendererOptions } from './render/console-renderer';
export { LiveProgress } from './render/live-progress';
export type { LiveProgressOptions } from './render/live-progress';
export { createJsonLinesWriter } from './render/json-lines';
export { createStyle, isColorWanted } from './render/terminal-style';
export type { Style } from './render/terminal-style';
export { renderValidationReport } from './render/validation-report-block';
export { renderPlan } from './render/plan-block';
export { renderContractReport } from './render/contract-block';
export { renderSummary } from './render/summary-block';
export { describeActivity, formatCost, formatDuration, formatTokens } from './render/format';

// ── run folder artifacts ────────────────────────────────────────────────────
export { ORCHESTRATION_LOG, OrchestrationLog } from './log/orchestration-log';
export type { OrchestrationLogOptions } from './log/orchestration-log';
export { renderHtmlReport } from './report/html-report';
export { reportFromEvents } from './report/run-report';
export type { RunReport } from './report/run-report';
export { escapeHtml } from './report/escape-html';

// ── the offline demo ────────────────────────────────────────────────────────
export { createDemoModel, judgeAnswer, workingDirectoryOf } from './demo/scripted-model';
export { DEMO_OBJECTIVE, demoPlan, demoTaskTurns } from './demo/todo-app-script';
export type { ScriptedTool, ScriptedTurn } from './demo/todo-app-script';
export { prepareDemoProject, findSampleProject } from './demo/prepare-demo-project';
