import { createHash } from 'node:crypto';

/** sha256 of the parts (joined by NUL), hex, truncated to `length` characters. @default length 16 */
export function contentHash(parts: readonly string[], length = 16): string {
  const hash = createHash('sha256');
  parts.forEach((part, index) => {
    if (index > 0) hash.update('\0');
    hash.update(part);
  });
  return hash.digest('hex').slice(0, length);
}
