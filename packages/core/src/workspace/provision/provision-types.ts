import type { CommandLine } from '../../commands/command-line';

/** How the main checkout's installed dependency folders reach a worktree (`workspace.dependencies`). */
export type DependencyMode = 'link' | 'copy' | 'none';

/** What a new worktree gets besides the checkout (the `workspace` section of the configuration, camelCase). */
export interface ProvisionSettings {
  /** Patterns of ignored files to copy in, at the repository root. @default '.worktreeinclude' */
  includeFile?: string;
  /** @default 'link' */
  dependencies?: DependencyMode;
  /** Run once per slot when it is provisioned, in order, before it is used (no shell). User configuration only: never a plan's or an agent's text. */
  setup?: readonly CommandLine[];
  /** Run in a provisioned worktree when its provisioning goes: before it is removed or provisioned again. */
  teardown?: readonly CommandLine[];
  /** Per setup command. @default 600000 */
  commandTimeoutMs?: number;
  /** Per teardown command: one that runs longer is stopped and reported as a warning. @default the smaller of commandTimeoutMs and 60000 */
  teardownTimeoutMs?: number;
  /** @default 41000 */
  portBase?: number;
  /** @default 10 */
  portsPerTask?: number;
}

export interface WorktreeProvisionerOptions extends ProvisionSettings {
  /** The main checkout: the repository root the worktrees are made from. */
  root: string;
}

/** A slot's ports: `first` is `PORT`, the range is `QODER_ORCH_PORT_RANGE`. */
export interface PortRange {
  first: number;
  last: number;
}

/** Milliseconds each step of provisioning took. */
export interface ProvisionDurations {
  includeMs: number;
  dependenciesMs: number;
  setupMs: number;
  totalMs: number;
}

export interface ProvisionResult {
  /** The slot's environment: `PORT`, `QODER_ORCH_PORT_RANGE`, `QODER_ORCH_SLOT`. */
  environment: Record<string, string>;
  ports: PortRange;
  /** The slot was provisioned for an earlier task with the same settings and still holds it: nothing was done. */
  isReused: boolean;
  /** Ignored files copied from the main checkout (`.worktreeinclude`), repository-relative. */
  copied: string[];
  /** Dependency folders linked to the main checkout's (mode `link`), repository-relative. */
  linked: string[];
  /** Dependency folders copied privately into the worktree (mode `copy`), repository-relative. */
  copiedDependencies: string[];
  durations: ProvisionDurations;
}

/** What provisioning reports: names, counts and durations, never a file's content. */
export interface ProvisionEvents {
  'provision-start': { worktree: string; slot: number; taskId?: string };
  'provision-finish': {
    worktree: string;
    slot: number;
    taskId?: string;
    isOk: boolean;
    /** The slot's earlier provisioning was reused: nothing copied, linked or run. */
    isReused: boolean;
    dependencies: DependencyMode;
    /** Ignored files copied in. */
    copiedFiles: number;
    linkedDependencies: number;
    copiedDependencies: number;
    setupCommands: number;
    durations: ProvisionDurations;
    /** Why it failed (`PROVISION_FAILED`), redacted. */
    error?: string;
  };
  warning: { code: string; message: string };
}

/** One provisioning event with its name, for a single callback (`WorkspaceBeginOptions.onProvision`). */
export type ProvisionEvent = { [K in keyof ProvisionEvents]: { type: K } & ProvisionEvents[K] }[keyof ProvisionEvents];
