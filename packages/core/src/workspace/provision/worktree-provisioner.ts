import { resolve } from 'node:path';
import { OrchestratorError, redactOutput, secretValuesFrom, tailOf } from '@qoder-orch/spec';
import { type CommandLine, commandArgv } from '../../commands/command-line';
import { dependencyExcludePatterns, findDependencyFolders, linkDependencyFolders } from '../../git/dependency-links';
import { ensureExcluded, repositoryPaths } from '../../git/repository';
import { runVerification } from '../../judge/run-verification';
import { TypedEmitter } from '../../shared/typed-emitter';
import { copyDependencyFolders, editableInstallsInto } from './dependency-copies';
import { copyIncludedFiles, listIncludedFiles, readIncludePatterns } from './include-files';
import type { DependencyMode, PortRange, ProvisionEvents, ProvisionResult, WorktreeProvisionerOptions } from './provision-types';
import { DEFAULT_PORT_BASE, DEFAULT_PORTS_PER_TASK, slotEnvironment, slotPorts } from './slot-ports';

const DEFAULT_COMMAND_TIMEOUT_MS = 600_000;

export interface ProvisionOptions {
  /** The slot the worktree serves: its ports and `QODER_ORCH_SLOT`. */
  slot: number;
  /** For the events only: the task the worktree is made for. */
  taskId?: string;
  abortSignal?: AbortSignal;
}

/**
 * Makes a new worktree ready to work in, once, when it is created: the ignored files
 * `.worktreeinclude` names copied from the main checkout, the installed dependency folders
 * linked or copied (`dependencies`), the user's setup commands run in it with the slot's
 * environment. Per task it only hands out that environment (`taskEnvironment`): a distinct
 * port range per slot. `teardown` runs the user's teardown commands before a worktree goes.
 *
 * Reports `provision-start` / `provision-finish` (names, counts, durations: never a file's
 * content) and `warning`s. A failing setup command throws `PROVISION_FAILED` naming the
 * command with its output's tail, redacted: the worktree must not be used.
 */
export class WorktreeProvisioner extends TypedEmitter<ProvisionEvents> {
  readonly #root: string;
  readonly #options: WorktreeProvisionerOptions;
  readonly #mode: DependencyMode;
  /** Looked up once: what the main checkout has installed and ignored does not change during a run. */
  #folders: Promise<string[]> | undefined;
  #includes: Promise<string[]> | undefined;
  #commonDir: Promise<string> | undefined;
  /** Provisioned worktrees and their slots, for teardown. */
  readonly #slots = new Map<string, number>();

  constructor(options: WorktreeProvisionerOptions) {
    super();
    this.#root = resolve(options.root);
    this.#options = options;
    this.#mode = options.dependencies ?? 'link';
  }

  get dependencyMode(): DependencyMode {
    return this.#mode;
  }

  /** The ports of a slot. */
  ports(slot: number): PortRange {
    return slotPorts(slot, this.#options.portBase ?? DEFAULT_PORT_BASE, this.#options.portsPerTask ?? DEFAULT_PORTS_PER_TASK);
  }

  /** What a task on `slot` gets in its environment (agent and checks): `PORT`, `QODER_ORCH_PORT_RANGE`, `QODER_ORCH_SLOT`. */
  taskEnvironment(slot: number): Record<string, string> {
    return slotEnvironment(slot, this.ports(slot));
  }

  /** The main checkout's installed dependency folders (none in mode `none`). */
  dependencyFolders(): Promise<string[]> {
    if (this.#mode === 'none') return Promise.resolve([]);
    this.#folders ??= findDependencyFolders(this.#root);
    return this.#folders;
  }

  /**
   * Writes the repository's `info/exclude` lines provisioned folders need (a link is not a
   * folder to git, and a copy may not be ignored by the project): call it before the run's
   * repository guard takes its record.
   */
  async prepareRepository(commonDir?: string): Promise<void> {
    if (commonDir !== undefined) this.#commonDir = Promise.resolve(commonDir);
    const folders = await this.dependencyFolders();
    if (folders.length === 0) return;
    await ensureExcluded(await this.#sharedGitDirectory(), dependencyExcludePatterns(folders));
  }

  /** The repository's shared git directory (`info/exclude` lives there), looked up once. */
  #sharedGitDirectory(): Promise<string> {
    this.#commonDir ??= repositoryPaths(this.#root).then((paths) => paths.commonDir);
    return this.#commonDir;
  }

  /** Provisions a worktree just created from the main checkout (see the class). */
  async provision(worktree: string, options: ProvisionOptions): Promise<ProvisionResult> {
    const { slot, abortSignal } = options;
    const path = resolve(worktree);
    const ports = this.ports(slot);
    const environment = slotEnvironment(slot, ports);
    const started = performance.now();
    const about = { worktree: path, slot, ...(options.taskId === undefined ? {} : { taskId: options.taskId }) };
    this.emit('provision-start', about);
    const result: ProvisionResult = { environment, ports, copied: [], linked: [], copiedDependencies: [], durations: { includeMs: 0, dependenciesMs: 0, setupMs: 0, totalMs: 0 } };
    const finish = (error?: string) => {
      result.durations.totalMs = performance.now() - started;
      this.emit('provision-finish', {
        ...about,
        isOk: error === undefined,
        dependencies: this.#mode,
        copiedFiles: result.copied.length,
        linkedDependencies: result.linked.length,
        copiedDependencies: result.copiedDependencies.length,
        setupCommands: this.#options.setup?.length ?? 0,
        durations: { ...result.durations },
        ...(error === undefined ? {} : { error }),
      });
    };
    try {
      let stepStarted = performance.now();
      result.copied = await this.#copyIncludedFiles(path);
      result.durations.includeMs = performance.now() - stepStarted;
      throwIfAborted(abortSignal);
      stepStarted = performance.now();
      const folders = await this.dependencyFolders();
      if (this.#mode === 'link') {
        result.linked = await linkDependencyFolders({ root: this.#root, worktree: path, commonDir: await this.#sharedGitDirectory(), folders });
        await this.#warnOfSharedEditableInstalls(result.linked);
      }
      if (this.#mode === 'copy') result.copiedDependencies = await copyDependencyFolders({ root: this.#root, worktree: path, folders });
      result.durations.dependenciesMs = performance.now() - stepStarted;
      stepStarted = performance.now();
      this.#slots.set(path, slot);
      await this.#runCommands('setup', this.#options.setup ?? [], path, environment, abortSignal);
      result.durations.setupMs = performance.now() - stepStarted;
    } catch (error) {
      finish(OrchestratorError.isInstance(error) ? error.message : String(error));
      throw error;
    }
    finish();
    return result;
  }

  /**
   * Runs the teardown commands in a worktree this provisioner provisioned (others: nothing to
   * do), with its slot's environment. A failing command is a `warning`, never an exception:
   * removing the worktree goes on.
   */
  async teardown(worktree: string, options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    const path = resolve(worktree);
    const slot = this.#slots.get(path);
    if (slot === undefined) return;
    this.#slots.delete(path);
    try {
      await this.#runCommands('teardown', this.#options.teardown ?? [], path, this.taskEnvironment(slot), options.abortSignal);
    } catch (error) {
      this.emit('warning', { code: 'TEARDOWN_FAILED', message: OrchestratorError.isInstance(error) ? error.message : String(error) });
    }
  }

  #isEditableChecked = false;

  /** Once: a linked venv with an editable install of the project imports the user's checkout, not the worktree. */
  async #warnOfSharedEditableInstalls(linked: readonly string[]): Promise<void> {
    if (this.#isEditableChecked) return;
    this.#isEditableChecked = true;
    for (const folder of linked) {
      const files = await editableInstallsInto(this.#root, folder);
      if (files.length === 0) continue;
      this.emit('warning', {
        code: 'EDITABLE_INSTALL_SHARED',
        message: `${folder} holds an editable install of the project (${files.join(', ')}): linked into a worktree, its imports load your checkout's code, not the task's. Set \`workspace.dependencies: copy\` so each worktree's copy points at its own files.`,
      });
    }
  }

  async #copyIncludedFiles(worktree: string): Promise<string[]> {
    this.#includes ??= (async () => {
      const file = resolve(this.#root, this.#options.includeFile ?? '.worktreeinclude');
      const { patterns, refused } = await readIncludePatterns(file);
      if (refused.length > 0) {
        this.emit('warning', { code: 'INCLUDE_PATTERN_REFUSED', message: `${refused.length} pattern(s) of ${this.#options.includeFile ?? '.worktreeinclude'} would reach outside the repository and are ignored: ${refused.join(', ')}.` });
      }
      return listIncludedFiles(this.#root, patterns);
    })();
    const paths = await this.#includes;
    if (paths.length === 0) return [];
    const { copied, refused } = await copyIncludedFiles({ root: this.#root, worktree, paths });
    if (refused.length > 0) {
      this.emit('warning', {
        code: 'INCLUDE_FILE_REFUSED',
        message: `${refused.length} file(s) named by ${this.#options.includeFile ?? '.worktreeinclude'} were not copied: ${refused.map((entry) => `${entry.path} (${entry.reason})`).join(', ')}.`,
      });
    }
    return copied;
  }

  async #runCommands(kind: 'setup' | 'teardown', commands: readonly CommandLine[], cwd: string, environment: Record<string, string>, abortSignal: AbortSignal | undefined): Promise<void> {
    for (const command of commands) {
      const argv = commandArgv(command);
      const [result] = await runVerification([{ command: argv, timeoutMs: this.#options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS }], {
        cwd,
        env: environment,
        ...(abortSignal === undefined ? {} : { abortSignal }),
        maxOutputChars: 2000,
      });
      if (result === undefined || result.passed) continue;
      const how = result.isTimedOut ? 'timed out' : result.exitCode === null ? 'could not start' : `exited with ${result.exitCode}`;
      const tail = tailOf(redactOutput(result.outputTail, secretValuesFrom(process.env)), 1000);
      throw new OrchestratorError({
        code: 'PROVISION_FAILED',
        message: `The ${kind} command \`${argv.join(' ')}\` ${how} in ${cwd}${tail === '' ? '.' : `:\n${tail}`}`,
        fix: `Fix the command in \`workspace.${kind}\` of .qoder-orchestrate.yaml (it runs without a shell, in the worktree, with PORT, QODER_ORCH_PORT_RANGE and QODER_ORCH_SLOT set), or remove it.`,
      });
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OrchestratorError({ code: 'ABORTED', message: 'Provisioning the worktree was aborted.' });
}
