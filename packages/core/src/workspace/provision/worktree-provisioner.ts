import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OrchestratorError, redactOutput, secretValuesFrom, tailOf } from '@qoder-orch/spec';
import { type CommandLine, commandArgv } from '../../commands/command-line';
import { dependencyExcludePatterns, findDependencyFolders, linkDependencyFolders, linkedFolders } from '../../git/dependency-links';
import { splitNul, tryGit } from '../../git/git-client';
import { ensureExcluded, repositoryPaths } from '../../git/repository';
import { runVerification } from '../../judge/run-verification';
import { TypedEmitter } from '../../shared/typed-emitter';
import { copyDependencyFolders, editableInstallsInto } from './dependency-copies';
import { type DependencyFingerprint, fingerprintDependencies, installSignature, isSameInstall } from './dependency-fingerprint';
import { copyIncludedFiles, listIncludedFiles, readIncludePatterns } from './include-files';
import type { DependencyMode, PortRange, ProvisionEvents, ProvisionResult, WorktreeProvisionerOptions } from './provision-types';
import { clearSlotRecord, hashFile, isPresent, provisionKey, readSlotRecord, type SlotRecord, serializeFingerprint, writeSlotRecord } from './slot-record';
import { DEFAULT_PORT_BASE, DEFAULT_PORTS_PER_TASK, slotEnvironment, slotPorts } from './slot-ports';

const DEFAULT_COMMAND_TIMEOUT_MS = 600_000;
const DEFAULT_TEARDOWN_TIMEOUT_MS = 60_000;

export interface ProvisionOptions {
  /** The slot the worktree serves: its ports and `QODER_ORCH_SLOT`. */
  slot: number;
  /** For the events only: the task the worktree is made for. */
  taskId?: string;
  abortSignal?: AbortSignal;
}

/**
 * Makes a slot's worktree ready to work in, once per slot: the ignored files `.worktreeinclude`
 * names copied from the main checkout, the installed dependency folders linked or copied
 * (`dependencies`), the user's setup commands run in it with the slot's environment. What the
 * slot was provisioned with is recorded in its worktree's git directory (a hash of the mode,
 * the main checkout's dependency folders — with their fingerprints in mode `copy` —, the include
 * files' content hashes, the setup commands and their environment) together with the paths it
 * put there, which the reset between two tasks keeps (`preservedPaths`). The next task in the
 * slot reuses all of it when nothing of that changed and the slot still holds it as it was
 * left (links in place, private copies and include files untouched, setup outputs present);
 * otherwise the provisioning is undone (teardown, provisioned paths removed) and done again.
 * `teardown` runs the user's teardown commands when a slot's provisioning goes.
 *
 * Reports `provision-start` / `provision-finish` (names, counts, durations, `isReused`: never a
 * file's content) and `warning`s. A failing setup command throws `PROVISION_FAILED` naming the
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

  /**
   * Makes a slot's worktree ready for a task: reused as it is when it was provisioned with what
   * is wanted now and still holds it (see the class), provisioned (again) otherwise.
   */
  async provision(worktree: string, options: ProvisionOptions): Promise<ProvisionResult> {
    const { slot, abortSignal } = options;
    const path = resolve(worktree);
    const ports = this.ports(slot);
    const environment = slotEnvironment(slot, ports);
    const started = performance.now();
    const about = { worktree: path, slot, ...(options.taskId === undefined ? {} : { taskId: options.taskId }) };
    this.emit('provision-start', about);
    const result: ProvisionResult = { environment, ports, isReused: false, copied: [], linked: [], copiedDependencies: [], durations: { includeMs: 0, dependenciesMs: 0, setupMs: 0, totalMs: 0 } };
    const finish = (error?: string) => {
      result.durations.totalMs = performance.now() - started;
      this.emit('provision-finish', {
        ...about,
        isOk: error === undefined,
        isReused: result.isReused,
        dependencies: this.#mode,
        copiedFiles: result.copied.length,
        linkedDependencies: result.linked.length,
        copiedDependencies: result.copiedDependencies.length,
        setupCommands: result.isReused ? 0 : (this.#options.setup?.length ?? 0),
        durations: { ...result.durations },
        ...(error === undefined ? {} : { error }),
      });
    };
    try {
      const key = await this.#wantedKey(environment);
      const record = await readSlotRecord(path);
      if (record !== undefined && record.key === key && (await this.#isIntact(path, record))) {
        // The environment as configured now (with setup commands, the key holds it: the same one setup had).
        Object.assign(result, { isReused: true, copied: Object.keys(record.included), linked: record.linked, copiedDependencies: record.copiedDependencies });
        finish();
        return result;
      }
      if (record !== undefined) await this.#undo(path, record, abortSignal);
      await this.#provisionAnew(path, key, result, abortSignal);
    } catch (error) {
      finish(OrchestratorError.isInstance(error) ? error.message : String(error));
      throw error;
    }
    finish();
    return result;
  }

  async #provisionAnew(path: string, key: string, result: ProvisionResult, abortSignal: AbortSignal | undefined): Promise<void> {
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
    const setup = this.#options.setup ?? [];
    const before = setup.length === 0 ? [] : await untrackedEntries(path);
    // From here on, the slot has a setup to tear down: recorded before it runs (a failed setup still gets its teardown).
    const record: SlotRecord = {
      version: 1,
      key: '',
      environment: result.environment,
      preserved: [...result.copied, ...result.linked, ...result.copiedDependencies],
      linked: result.linked,
      copiedDependencies: result.copiedDependencies,
      copyFingerprint: {},
      included: {},
    };
    await writeSlotRecord(path, record);
    await this.#runCommands('setup', setup, path, result.environment, abortSignal);
    const outputs = setup.length === 0 ? [] : (await untrackedEntries(path)).filter((entry) => !before.includes(entry));
    result.durations.setupMs = performance.now() - stepStarted;
    record.preserved.push(...outputs);
    await this.#warnOfTrackableOutputs(path, outputs);
    record.copyFingerprint = serializeFingerprint(await fingerprintDependencies(path, result.copiedDependencies));
    for (const file of result.copied) record.included[file] = (await hashFile(join(path, file))) ?? '';
    // Only a slot provisioned to the end is reused.
    record.key = key;
    await writeSlotRecord(path, record);
  }

  /** What the slot must have been provisioned with to be reused now (`provisionKey`). */
  async #wantedKey(environment: Record<string, string>): Promise<string> {
    const folders = await this.dependencyFolders();
    // Which install the main checkout has (not when its packages were last imported: Python's bytecode is no install).
    const dependencies = this.#mode === 'copy' ? installSignature(await fingerprintDependencies(this.#root, folders)) : {};
    const included: Record<string, string> = {};
    for (const file of await this.#includedPaths()) included[file] = (await hashFile(join(this.#root, file))) ?? '';
    const setup = (this.#options.setup ?? []).map((command) => commandArgv(command));
    return provisionKey({ mode: this.#mode, folders, dependencies, included, setup, environment });
  }

  /** Whether what provisioning put in the slot is still there as it was: links to the main checkout, untouched copies and include files, setup outputs. */
  async #isIntact(path: string, record: SlotRecord): Promise<boolean> {
    if ((await linkedFolders(this.#root, path, record.linked)).length !== record.linked.length) return false;
    const recorded: DependencyFingerprint = new Map(Object.entries(record.copyFingerprint).map(([folder, entries]) => [folder, new Map(entries)]));
    if (!isSameInstall(recorded, await fingerprintDependencies(path, record.copiedDependencies))) return false;
    for (const [file, hash] of Object.entries(record.included)) if ((await hashFile(join(path, file))) !== hash) return false;
    for (const kept of record.preserved) if (!(await isPresent(join(path, kept)))) return false;
    return true;
  }

  /** Undoes a slot's provisioning before it is provisioned again: its teardown, then what it put in the worktree. */
  async #undo(path: string, record: SlotRecord, abortSignal: AbortSignal | undefined): Promise<void> {
    await this.#tearDown(path, record, abortSignal);
    for (const kept of record.preserved) await rm(join(path, kept), { recursive: true, force: true });
  }

  /**
   * Runs the teardown commands in a provisioned worktree (one with no record: nothing to do),
   * with the environment its setup had, when its provisioning is undone: before the worktree
   * is removed, or provisioned again. Each command has `teardownTimeoutMs`; a failing or hanging
   * one is a `warning`, never an exception: the removal, or the slot, goes on.
   */
  async teardown(worktree: string, options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    const path = resolve(worktree);
    const record = await readSlotRecord(path);
    if (record !== undefined) await this.#tearDown(path, record, options.abortSignal);
  }

  async #tearDown(path: string, record: SlotRecord, abortSignal: AbortSignal | undefined): Promise<void> {
    await clearSlotRecord(path);
    const timeoutMs = this.#options.teardownTimeoutMs ?? Math.min(this.#options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_TEARDOWN_TIMEOUT_MS);
    try {
      await this.#runCommands('teardown', this.#options.teardown ?? [], path, record.environment, abortSignal, timeoutMs);
    } catch (error) {
      this.emit('warning', { code: 'TEARDOWN_FAILED', message: OrchestratorError.isInstance(error) ? error.message : String(error) });
    }
  }

  /**
   * The repository-relative paths a reset of the slot must keep: what provisioning put in it
   * (dependency folders, include files, setup outputs), as its record says. A slot with no
   * valid record keeps nothing: it is cleaned whole, then provisioned from scratch.
   */
  async preservedPaths(worktree: string): Promise<string[]> {
    return (await readSlotRecord(resolve(worktree)))?.preserved ?? [];
  }

  /** Setup outputs git would not ignore: kept for the slot's next tasks, they would also be taken for a task's changes. */
  async #warnOfTrackableOutputs(path: string, outputs: readonly string[]): Promise<void> {
    if (outputs.length === 0) return;
    const visible = await untrackedEntries(path, { isIgnoredLeftOut: true });
    const trackable = outputs.filter((output) => visible.some((entry) => entry === output || entry.startsWith(`${output}/`) || output.startsWith(`${entry}/`)));
    if (trackable.length === 0) return;
    this.emit('warning', {
      code: 'SETUP_OUTPUT_NOT_IGNORED',
      message: `The setup commands left files git does not ignore in ${path}: ${trackable.slice(0, 5).join(', ')}${trackable.length > 5 ? ` and ${trackable.length - 5} more` : ''}. They stay in the slot for its next tasks, and a task's commit would include them: add them to .gitignore.`,
    });
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

  /** The main checkout's files `.worktreeinclude` names, listed once. */
  #includedPaths(): Promise<string[]> {
    this.#includes ??= (async () => {
      const file = resolve(this.#root, this.#options.includeFile ?? '.worktreeinclude');
      const { patterns, refused } = await readIncludePatterns(file);
      if (refused.length > 0) {
        this.emit('warning', { code: 'INCLUDE_PATTERN_REFUSED', message: `${refused.length} pattern(s) of ${this.#options.includeFile ?? '.worktreeinclude'} would reach outside the repository and are ignored: ${refused.join(', ')}.` });
      }
      return listIncludedFiles(this.#root, patterns);
    })();
    return this.#includes;
  }

  async #copyIncludedFiles(worktree: string): Promise<string[]> {
    const paths = await this.#includedPaths();
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

  async #runCommands(
    kind: 'setup' | 'teardown',
    commands: readonly CommandLine[],
    cwd: string,
    environment: Record<string, string>,
    abortSignal: AbortSignal | undefined,
    timeoutMs = this.#options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  ): Promise<void> {
    for (const command of commands) {
      const argv = commandArgv(command);
      const [result] = await runVerification([{ command: argv, timeoutMs }], {
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

/** The worktree's untracked entries, ignored or not (`isIgnoredLeftOut`: not), an untracked folder as one entry, without the trailing `/`. */
async function untrackedEntries(worktree: string, options: { isIgnoredLeftOut?: boolean } = {}): Promise<string[]> {
  const listed = await tryGit(worktree, ['ls-files', '-z', '--others', '--directory', ...(options.isIgnoredLeftOut === true ? ['--exclude-standard'] : [])]);
  return listed.isOk ? splitNul(listed.output).map((entry) => entry.replace(/\/$/, '')) : [];
}
