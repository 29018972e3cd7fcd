import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/** Reads and validates a JSON file; `undefined` when it is missing or does not match (a cache that is rebuilt). */
export async function readJsonFile<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
