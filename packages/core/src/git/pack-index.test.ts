import { readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPackedObject } from './pack-index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

const repositories: TemporaryRepository[] = [];
afterEach(async () => {
  for (const repository of repositories.splice(0)) await repository.cleanup();
});

describe('isPackedObject', () => {
  it('answers every object of the packs and no other: loose ones, unknown ids, a damaged or foreign index, no packs', async () => {
    const repository = await createTemporaryRepository(Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`src/f${index}.txt`, `file ${index}\n`])));
    repositories.push(repository);
    const objects = join(repository.root, '.git', 'objects');
    const head = (await repository.git(['rev-parse', 'HEAD'])).trim();
    // No pack yet: nothing is packed, whatever exists loose.
    expect(isPackedObject(objects, head)).toBe(false);
    await repository.write('second.txt', 'second\n');
    await repository.commitAll('second');
    await repository.git(['repack', '-adq']);
    const packed = (await repository.git(['cat-file', '--batch-all-objects', '--batch-check=%(objectname)'])).trim().split('\n');
    expect(packed.length).toBeGreaterThan(60);
    for (const id of packed) expect(isPackedObject(objects, id)).toBe(true);
    // One object more, loose only.
    await repository.write('loose.txt', 'only loose\n');
    const loose = (await repository.git(['hash-object', '-w', 'loose.txt'])).trim();
    expect(isPackedObject(objects, loose)).toBe(false);
    // Ids that are in no pack: neighbours of packed ones in the sort order, the lowest, the highest; and not ids at all.
    const neighbour = (id: string, step: number) => (BigInt(`0x${id}`) + BigInt(step)).toString(16).padStart(40, '0').slice(-40);
    for (const id of [neighbour(packed[0]!, 1), neighbour(packed[0]!, -1), '0'.repeat(40), 'f'.repeat(40)]) if (!packed.includes(id)) expect(isPackedObject(objects, id)).toBe(false);
    for (const id of ['HEAD', head.slice(0, 12), 'a'.repeat(64)]) expect(isPackedObject(objects, id)).toBe(false);
    // A damaged index (cut short) and a foreign file under an index's name are not trusted.
    const [index] = (await readdir(join(objects, 'pack'))).filter((name) => name.endsWith('.idx'));
    await truncate(join(objects, 'pack', index!), 2000);
    expect(isPackedObject(objects, packed.at(-1)!)).toBe(false);
    await writeFile(join(objects, 'pack', index!), 'not an index at all\n');
    expect(isPackedObject(objects, packed[0]!)).toBe(false);
  });
});
