import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@qoder-orch/spec';

/** Core's atomic write (temp file, fsync, rename), creating the parent folder first. */
export async function writeFileAtomicCreatingFolder(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, data);
}
