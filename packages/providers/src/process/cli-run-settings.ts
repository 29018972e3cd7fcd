/** Settings every agent CLI provider (Claude Code, Qoder, Codex, Gemini) shares. Every field is optional. */
export interface CliRunSettings {
  /** Extra environment for every run (API keys, base URLs …). Never logged; values are redacted from errors and events. */
  env?: Readonly<Record<string, string>>;
  /** Outer timeout of a task run, in ms: the whole process tree is killed when it passes. @default 1_800_000 (30 min) */
  timeoutMs?: number;
  /** Outer timeout of a completion (planning, judging), in ms. @default 600_000 (10 min) */
  completeTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when a run is ended. @default 5_000 */
  killGraceMs?: number;
  /** More arguments appended to every run. */
  extraArgs?: readonly string[];
}
