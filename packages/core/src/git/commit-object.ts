import { createHash } from 'node:crypto';
import { link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { locateCheckout, readSmallFile, statSmall } from './git-files';
import type { GitIdentity } from './git-identity';
import { isPackedObject } from './pack-index';

const SHA1 = /^[0-9a-f]{40}$/;

/**
 * Characters git trims from both ends of a name or an email (`ident.c`), and those it drops
 * inside: an identity with any of them is left to git, which writes it its own way.
 */
const CRUD_AT_ENDS = /^[\s.,:;<>"\\']|[\s.,:;<>"\\']$/;
const DROPPED_INSIDE = /[\n<>]/;

/** What a commit of our own says: its tree, its parents, its message, who made it and when. */
export interface CommitContent {
  tree: string;
  parents: readonly string[];
  message: string;
  identity: GitIdentity;
  /** Seconds since the epoch. */
  seconds: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
}

/** The `+hhmm`/`-hhmm` git writes after a time. */
function zone(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const minutes = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * The bytes of the commit object `git commit-tree <tree> -p … -m <message>` writes with this
 * identity as author and committer (unsigned: our git runs with `commit.gpgSign=false`; UTF-8,
 * no encoding header), or `undefined` when git would write it otherwise (an identity it
 * would trim, ids that are not SHA-1).
 */
export function commitObjectBody(content: CommitContent): Buffer | undefined {
  const { name, email } = content.identity;
  if (name === '' || [name, email].some((part) => CRUD_AT_ENDS.test(part) || DROPPED_INSIDE.test(part))) return undefined;
  if (![content.tree, ...content.parents].every((id) => SHA1.test(id))) return undefined;
  const ident = `${name} <${email}> ${content.seconds} ${zone(content.offsetMinutes)}`;
  const message = content.message.endsWith('\n') ? content.message : `${content.message}\n`;
  const lines = [`tree ${content.tree}`, ...content.parents.map((parent) => `parent ${parent}`), `author ${ident}`, `committer ${ident}`, '', message];
  return Buffer.from(lines.join('\n'), 'utf8');
}

const objectPath = (objects: string, id: string) => join(objects, id.slice(0, 2), id.slice(2));

const exists = (path: string) => statSmall(path) !== undefined;

/**
 * Writes the commit object of `content` as a loose object in the repository of `root` (what
 * `git commit-tree` does, without a process), and returns its id; `undefined` when git must
 * write it: a body git would write otherwise (`commitObjectBody`), a repository that shares its
 * objects with other users (`core.sharedRepository`: git sets the permissions) or keeps a second
 * object format beside its own (`extensions.compatObjectFormat`: git records both ids), or a
 * tree or parent this cannot find, loose or in a pack's index (one of another store is git's to check).
 */
export async function writeCommitObject(root: string, content: CommitContent): Promise<string | undefined> {
  const body = commitObjectBody(content);
  if (body === undefined) return undefined;
  const location = await locateCheckout(root);
  if (location === undefined) return undefined;
  const config = readSmallFile(join(location.commonDir, 'config'));
  if (config === undefined || /sharedrepository|compatobjectformat/i.test(config)) return undefined;
  const objects = join(location.commonDir, 'objects');
  // Git checks that the tree and the parents exist before it writes a commit naming them (loose, or in a pack: a fresh clone's commits are packed).
  if (![content.tree, ...content.parents].every((id) => exists(objectPath(objects, id)) || isPackedObject(objects, id))) return undefined;
  const stored = Buffer.concat([Buffer.from(`commit ${body.length}\0`, 'latin1'), body]);
  const id = createHash('sha1').update(stored).digest('hex');
  const path = objectPath(objects, id);
  if (exists(path)) return id;
  await mkdir(join(objects, id.slice(0, 2)), { recursive: true });
  // Written whole under a temporary name, then linked into place: a reader never sees half an object.
  const temporary = join(objects, id.slice(0, 2), `tmp_obj_qoder_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2)}`);
  await writeFile(temporary, deflateSync(stored), { mode: 0o444, flag: 'wx' });
  try {
    // Where the file system has no hard links, a rename (what git's `core.createObject=rename` does).
    await link(temporary, path).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') await rename(temporary, path);
    });
  } finally {
    await rm(temporary, { force: true });
  }
  return id;
}
