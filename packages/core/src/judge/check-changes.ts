import { readBlobs, tryGit } from '../git/git-client';
import { knownTreeOf } from '../git/git-files';
import { treeChanges } from '../git/working-state';
import type { CheckChange } from '@qoder-orch/spec';

const RUNNER_CONFIG = [
  /(^|\/)(vitest|vite|jest|playwright|karma|cypress|ava|mocha)\.config\.[cm]?[jt]s$/,
  /(^|\/)vitest\.workspace\.[cm]?[jt]s$/,
  /(^|\/)jest\.config\.json$/,
  /(^|\/)\.mocharc(\.[a-z]+)?$/,
  /(^|\/)(pytest\.ini|tox\.ini|conftest\.py|noxfile\.py)$/,
  /(^|\/)\.nycrc(\.[a-z]+)?$/,
];
const CI = [/^\.github\/workflows\//, /(^|\/)\.gitlab-ci\.ya?ml$/, /^\.circleci\//, /(^|\/)Jenkinsfile$/, /(^|\/)azure-pipelines\.ya?ml$/, /(^|\/)\.travis\.ya?ml$/];
const TEST_FILE = [/(^|\/)(__tests__|tests?|spec)\//, /\.(test|spec)\.[cm]?[jt]sx?$/, /(^|\/)test_[^/]*\.py$/, /_test\.(py|go)$/];
/** Lines that turn tests off (or, with `.only`, turn the others off). */
const SKIP_PATTERNS: Array<[RegExp, string]> = [
  [/\b(?:it|test|describe|context|suite|bench)\.(?:skip|todo|only)\s*\(/g, 'a .skip/.todo/.only'],
  [/\b(?:xit|xdescribe|xtest|xcontext|fit|fdescribe)\s*\(/g, 'an xit/xdescribe/fit'],
  [/\{\s*(?:skip|todo|only)\s*:\s*(?:true|['"`])/g, 'a skip/todo/only option'],
  [/@pytest\.mark\.(?:skip|skipif|xfail)\b/g, 'a pytest skip/xfail mark'],
  [/\bpytest\.skip\s*\(/g, 'a pytest.skip()'],
  [/@unittest\.skip/g, 'a unittest skip'],
  [/\bt\.Skip(?:Now|f)?\s*\(/g, 'a t.Skip()'],
  [/#\[ignore\]/g, 'an #[ignore]'],
];
const SCRIPT_NAME = /^(pre|post)?(test|check|ci|verify)([:.-].*)?$/;

export function isTestFile(path: string): boolean {
  return TEST_FILE.some((pattern) => pattern.test(path));
}

async function blobAt(cwd: string, commit: string, path: string): Promise<string | undefined> {
  const result = await tryGit(cwd, ['rev-parse', '--verify', '-q', `${commit}:${path}`]);
  return result.isOk && result.output.trim() ? result.output.trim() : undefined;
}

async function fileAt(cwd: string, commit: string, path: string): Promise<string | undefined> {
  const shown = await tryGit(cwd, ['show', `${commit}:${path}`]);
  return shown.isOk ? shown.output : undefined;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function scriptsOf(json: Record<string, unknown> | undefined): Record<string, string> {
  const scripts = json?.scripts;
  if (typeof scripts !== 'object' || scripts === null) return {};
  return Object.fromEntries(Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

const clip = (text: string, max = 120) => (text.length <= max ? text : `${text.slice(0, max)}…`);

function packageJsonChanges(path: string, before: string | undefined, after: string | undefined): CheckChange[] {
  const changes: CheckChange[] = [];
  const old = parseJson(before);
  const next = parseJson(after);
  if (before !== undefined && old === undefined) return changes;
  if (after !== undefined && next === undefined && old !== undefined) {
    return [{ path, kind: 'test-script', detail: 'package.json no longer parses, so its test scripts cannot run', isBlocking: true }];
  }
  const oldScripts = scriptsOf(old);
  const newScripts = scriptsOf(next);
  for (const name of new Set([...Object.keys(oldScripts), ...Object.keys(newScripts)])) {
    if (!SCRIPT_NAME.test(name) || oldScripts[name] === newScripts[name]) continue;
    if (oldScripts[name] === undefined) changes.push({ path, kind: 'test-script', detail: `script "${name}" added: ${clip(newScripts[name]!)}`, isBlocking: false });
    else if (newScripts[name] === undefined) changes.push({ path, kind: 'test-script', detail: `script "${name}" removed (was: ${clip(oldScripts[name])})`, isBlocking: true });
    else changes.push({ path, kind: 'test-script', detail: `script "${name}" changed from "${clip(oldScripts[name])}" to "${clip(newScripts[name]!)}"`, isBlocking: true });
  }
  for (const key of ['jest', 'mocha', 'ava', 'vitest', 'c8', 'nyc']) {
    const was = JSON.stringify(old?.[key]);
    const is = JSON.stringify(next?.[key]);
    if (was === is) continue;
    changes.push({ path, kind: 'runner-config', detail: `"${key}" settings ${was === undefined ? 'added' : is === undefined ? 'removed' : 'changed'}`, isBlocking: was !== undefined });
  }
  return changes;
}

/** The lines of an INI/TOML section whose header matches. */
function section(text: string | undefined, header: RegExp): string | undefined {
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => header.test(line.trim()));
  if (start < 0) return undefined;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break;
    body.push(line.trim());
  }
  return body.filter(Boolean).join('\n');
}

/** The recipe of make targets that run checks (`test`, `check`, `ci`, `test-…`). */
function makeTargets(text: string | undefined): Map<string, string> {
  const targets = new Map<string, string>();
  if (text === undefined) return targets;
  let current: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^([A-Za-z0-9_.-]+)\s*:(?!=)(.*)$/.exec(line);
    if (header) {
      current = SCRIPT_NAME.test(header[1]!) ? header[1] : undefined;
      if (current) targets.set(current, header[2]!.trim());
      continue;
    }
    if (current && /^\t/.test(line)) targets.set(current, `${targets.get(current)}\n${line.trim()}`);
    else if (line.trim() !== '' && !/^\s*#/.test(line)) current = undefined;
  }
  return targets;
}

function countSkips(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [pattern, label] of SKIP_PATTERNS) counts.set(label, (counts.get(label) ?? 0) + [...text.matchAll(pattern)].length);
  return counts;
}

const isMakefileName = (name: string) => /^(GNU)?[Mm]akefile$|\.mk$/.test(name);

/** Whether `changesOf` reads the file's contents (before and after) to tell what changed. */
function isRead(path: string): boolean {
  const name = path.split('/').pop() ?? path;
  if (name === 'package.json') return true;
  if (CI.some((pattern) => pattern.test(path)) || RUNNER_CONFIG.some((pattern) => pattern.test(path))) return false;
  // Only these are read: any other file (most of what agents change) says nothing about the checks.
  return name === 'pyproject.toml' || name === 'setup.cfg' || isMakefileName(name) || isTestFile(path);
}

/** A file's text at a commit: from what was read beforehand in one batch, else asked of git on its own. */
type FileReader = (commit: string, path: string) => Promise<string | undefined>;

async function changesOf(read: FileReader, from: string, to: string, status: string, path: string): Promise<CheckChange[]> {
  const name = path.split('/').pop() ?? path;
  const verb = status === 'A' ? 'added' : status === 'D' ? 'deleted' : 'changed';
  if (CI.some((pattern) => pattern.test(path)) && name !== 'package.json') return [{ path, kind: 'ci', detail: `CI file ${verb}`, isBlocking: status !== 'A' }];
  if (RUNNER_CONFIG.some((pattern) => pattern.test(path)) && name !== 'package.json') return [{ path, kind: 'runner-config', detail: `test runner configuration ${verb}`, isBlocking: status !== 'A' }];
  const isMakefile = isMakefileName(name);
  if (!isRead(path)) return [];
  const before = status === 'A' ? undefined : await read(from, path);
  const after = status === 'D' ? undefined : await read(to, path);
  if (name === 'package.json') return packageJsonChanges(path, before, after);
  if (name === 'pyproject.toml' || name === 'setup.cfg') {
    const header = name === 'pyproject.toml' ? /^\[tool\.(pytest|coverage)[\].]/ : /^\[(tool:pytest|coverage:)/;
    const was = section(before, header);
    const is = section(after, header);
    if (was === is) return [];
    return [{ path, kind: 'runner-config', detail: `pytest settings ${was === undefined ? 'added' : is === undefined ? 'removed' : 'changed'}`, isBlocking: was !== undefined }];
  }
  if (isMakefile) {
    const was = makeTargets(before);
    const is = makeTargets(after);
    const changes: CheckChange[] = [];
    for (const target of new Set([...was.keys(), ...is.keys()])) {
      if (was.get(target) === is.get(target)) continue;
      const isAdded = !was.has(target);
      changes.push({ path, kind: 'build-target', detail: `make target "${target}" ${isAdded ? 'added' : is.has(target) ? 'changed' : 'removed'}`, isBlocking: !isAdded });
    }
    return changes;
  }
  if (!isTestFile(path)) return [];
  if (status === 'D') return [{ path, kind: 'test-deleted', detail: 'test file deleted', isBlocking: true }];
  const old = countSkips(before ?? '');
  const changes: CheckChange[] = [];
  for (const [label, count] of countSkips(after ?? '')) {
    const added = count - (old.get(label) ?? 0);
    if (added > 0) changes.push({ path, kind: 'test-skipped', detail: `${added} × ${label} added`, isBlocking: true });
  }
  return changes;
}

/**
 * The changes to the checks between two commits (or trees) of a repository, read with git by
 * the orchestrator: `cwd` is any directory inside it.
 */
export async function detectCheckChanges(options: { cwd: string; from: string; to: string; taskId?: string }): Promise<CheckChange[]> {
  // A commit whose tree is known exists; anything else is asked of git.
  if (knownTreeOf(options.from) === undefined && (await tryGit(options.cwd, ['rev-parse', '--verify', '-q', `${options.from}^{tree}`])).isOk === false) return [];
  const changes: CheckChange[] = [];
  const changed = await treeChanges(options.cwd, options.from, options.to);
  // A test file moved unchanged is not a deleted test.
  const addedBlobs = new Map<string, string>();
  if (changed.some((entry) => entry.status.startsWith('D') && isTestFile(entry.path))) {
    for (const entry of changed) {
      if (!entry.status.startsWith('A')) continue;
      const blob = await blobAt(options.cwd, options.to, entry.path);
      if (blob !== undefined) addedBlobs.set(blob, entry.path);
    }
  }
  // Every file read below, both sides, in one git process however many there are.
  const specs = changed.filter((entry) => isRead(entry.path)).flatMap(({ status, path }) => [...(status.startsWith('A') ? [] : [`${options.from}:${path}`]), ...(status.startsWith('D') ? [] : [`${options.to}:${path}`])]);
  const batch = await readBlobs(options.cwd, specs).catch(() => new Map<string, Buffer | undefined>());
  const read: FileReader = async (commit, path) => {
    const spec = `${commit}:${path}`;
    return batch.has(spec) ? batch.get(spec)?.toString('utf8') : fileAt(options.cwd, commit, path);
  };
  for (const { status, path } of changed) {
    if (status.startsWith('D') && isTestFile(path)) {
      const blob = await blobAt(options.cwd, options.from, path);
      const movedTo = blob === undefined ? undefined : addedBlobs.get(blob);
      if (movedTo !== undefined) {
        changes.push({ path, kind: 'test-deleted', detail: `test file moved unchanged to ${movedTo}`, isBlocking: false, ...(options.taskId === undefined ? {} : { taskId: options.taskId }) });
        continue;
      }
    }
    for (const change of await changesOf(read, options.from, options.to, status.charAt(0), path)) {
      changes.push({ ...change, ...(options.taskId === undefined ? {} : { taskId: options.taskId }) });
    }
  }
  return changes;
}

/** One line per change, for people and the judge. */
export function describeCheckChange(change: CheckChange): string {
  return `${change.path}: ${change.detail}${change.taskId ? ` (task ${change.taskId})` : ''}${change.isBlocking ? '' : ' [addition, not blocking]'}`;
}
