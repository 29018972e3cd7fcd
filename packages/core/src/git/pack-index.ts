import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { statSmall } from './git-files';

/** A pack index's fan-out table (version 2): `fanout[b]` objects have a first byte of at most `b`. */
interface PackIndex {
  path: string;
  size: number;
  mtimeMs: number;
  fanout: Uint32Array;
}

const IDX_V2_MAGIC = 0xff744f63; // "\377tOc"
const HEADER_BYTES = 8;
const FANOUT_BYTES = 256 * 4;
const SHA1_BYTES = 20;

/** Fan-out tables read before, by index file (a pack index is never rewritten in place: size and mtime tell a new one). */
const indexes = new Map<string, PackIndex>();

function readIndex(path: string): PackIndex | undefined {
  const info = statSmall(path);
  if (info === undefined) return undefined;
  const known = indexes.get(path);
  if (known !== undefined && known.size === info.size && known.mtimeMs === info.mtimeMs) return known;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(HEADER_BYTES + FANOUT_BYTES);
    if (readSync(fd, head, 0, head.length, 0) !== head.length) return undefined;
    if (head.readUInt32BE(0) !== IDX_V2_MAGIC || head.readUInt32BE(4) !== 2) return undefined;
    const fanout = new Uint32Array(256);
    for (let index = 0; index < 256; index += 1) fanout[index] = head.readUInt32BE(HEADER_BYTES + index * 4);
    // A truncated or foreign file is not trusted: its names must fit in it.
    if (HEADER_BYTES + FANOUT_BYTES + fanout[255]! * SHA1_BYTES > Number(info.size)) return undefined;
    const read: PackIndex = { path, size: Number(info.size), mtimeMs: Number(info.mtimeMs), fanout };
    indexes.set(path, read);
    return read;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the pack index at `index` lists the SHA-1 object `id`: a binary search over its sorted names, 20 bytes read per step. */
function isListedIn(index: PackIndex, id: Buffer): boolean {
  const first = id[0]!;
  let low = first === 0 ? 0 : index.fanout[first - 1]!;
  let high = index.fanout[first]!;
  if (low >= high) return false;
  const name = Buffer.alloc(SHA1_BYTES);
  let fd: number | undefined;
  try {
    fd = openSync(index.path, 'r');
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (readSync(fd, name, 0, SHA1_BYTES, HEADER_BYTES + FANOUT_BYTES + middle * SHA1_BYTES) !== SHA1_BYTES) return false;
      const order = name.compare(id);
      if (order === 0) return true;
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether a pack of the object store `objects` (`<common dir>/objects`) holds the SHA-1 object
 * `id`, read from the packs' indexes (version 2) without a process. `false` when unsure (no
 * such index, another version, a read failing): the caller asks git then. Objects of
 * alternate stores are not looked at.
 */
export function isPackedObject(objects: string, id: string): boolean {
  if (!/^[0-9a-f]{40}$/.test(id)) return false;
  const packs = join(objects, 'pack');
  let names: string[];
  try {
    names = readdirSync(packs).filter((name) => name.startsWith('pack-') && name.endsWith('.idx'));
  } catch {
    return false;
  }
  const wanted = Buffer.from(id, 'hex');
  return names.some((name) => {
    const index = readIndex(join(packs, name));
    return index !== undefined && isListedIn(index, wanted);
  });
}
