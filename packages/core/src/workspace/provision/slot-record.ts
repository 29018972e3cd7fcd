import { createHash } from 'node:crypto';
import { lstat, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { DependencyFingerprint } from './dependency-fingerprint';

/** The file, in a worktree's own git directory (never in its files, never cleaned by a reset), that says what the slot was provisioned with. */
const RECORD_FILE = 'qoder-orch-provision.json';

/** A repository-relative path that stays inside the worktree (the record lives where an agent can write: never trusted to name anything else). */
const RelativePath = z.string().refine((path) => path !== '' && !isAbsolute(path) && !path.split(/[\\/]/).includes('..'), 'a repository-relative path');

const RecordSchema = z.object({
  version: z.literal(1),
  /** What the slot was provisioned with, hashed: see `provisionKey`. */
  key: z.string(),
  /** The environment the setup commands ran with (teardown gets the same). */
  environment: z.record(z.string(), z.string()),
  /** Repository-relative paths provisioning put in the worktree: a reset between two tasks keeps them. */
  preserved: z.array(RelativePath),
  linked: z.array(RelativePath),
  copiedDependencies: z.array(RelativePath),
  /** The private copies as provisioning left them (`fingerprintFolder` entries): a task that installed into one changed it. */
  copyFingerprint: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  /** Include files copied in, with the sha-256 of their content. */
  included: z.record(RelativePath, z.string()),
});

/** What a slot was provisioned with, as kept in its worktree's git directory. */
export type SlotRecord = z.infer<typeof RecordSchema>;

/** A worktree's own git directory: what its `.git` file points at (`gitdir: …`). */
async function gitDirectoryOf(worktree: string): Promise<string | undefined> {
  const text = await readFile(join(worktree, '.git'), 'utf8').catch(() => undefined);
  const match = text === undefined ? null : /^gitdir: (.+)$/m.exec(text);
  if (match === null) return undefined;
  const path = (match[1] as string).trim();
  return isAbsolute(path) ? path : resolve(worktree, path);
}

/** The slot's record, or `undefined` when it has none (a new worktree) or an unreadable one (provisioned again). */
export async function readSlotRecord(worktree: string): Promise<SlotRecord | undefined> {
  const folder = await gitDirectoryOf(worktree);
  if (folder === undefined) return undefined;
  const text = await readFile(join(folder, RECORD_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeSlotRecord(worktree: string, record: SlotRecord): Promise<void> {
  const folder = await gitDirectoryOf(worktree);
  if (folder !== undefined) await writeFile(join(folder, RECORD_FILE), `${JSON.stringify(record)}\n`);
}

/** Forgets what the slot was provisioned with: the next task provisions it again. */
export async function clearSlotRecord(worktree: string): Promise<void> {
  const folder = await gitDirectoryOf(worktree);
  if (folder !== undefined) await rm(join(folder, RECORD_FILE), { force: true });
}

/** The sha-256 of a file's content, or `undefined` when it cannot be read. */
export async function hashFile(path: string): Promise<string | undefined> {
  const content = await readFile(path).catch(() => undefined);
  return content === undefined ? undefined : createHash('sha256').update(content).digest('hex');
}

/** A fingerprint as plain data, for the record (entries sorted: the same folder gives the same text). */
export function serializeFingerprint(fingerprint: DependencyFingerprint): Record<string, Array<[string, string]>> {
  return Object.fromEntries([...fingerprint].map(([folder, entries]) => [folder, [...entries].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))]));
}

/**
 * What decides whether a slot's provisioning still holds, hashed: the dependency mode and the
 * main checkout's dependency folders (with their fingerprints in mode `copy`: a private copy of
 * an older install is stale), the include files and their content hashes, the setup commands
 * and the environment they ran with.
 */
export function provisionKey(input: {
  mode: string;
  folders: readonly string[];
  dependencies: Record<string, Array<[string, string]>>;
  included: Record<string, string>;
  setup: readonly (readonly string[])[];
  environment: Record<string, string>;
}): string {
  const included = Object.entries(input.included).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  const text = JSON.stringify({ mode: input.mode, folders: [...input.folders].sort(), dependencies: input.dependencies, included, setup: input.setup, environment: input.setup.length === 0 ? {} : input.environment });
  return createHash('sha256').update(text).digest('hex');
}

/** Whether something (a file, a folder, a link) is at `path`. */
export function isPresent(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
