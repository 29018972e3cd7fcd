import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema } from '../config/config-schema';
import type { ConfigIssue } from '../errors/config-error';
import type { PreflightCheck } from './preflight-report';
import { fail, pass, warn } from './check-result';

/** The configuration file looked for in the project. */
export const CONFIG_FILE_NAME = '.qoder-orchestrate.yaml';

/**
 * Validates a configuration file's text: YAML syntax (with line and column), then the schema
 * (with key paths). A private stand-in for the config loader's validation, so preflight reports
 * every problem at once instead of stopping at the first.
 */
export function validateConfigText(text: string): ConfigIssue[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return document.errors.map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return { path: '', message: `YAML syntax error at line ${position.line}, column ${position.col}: ${error.message.split('\n')[0]}` };
    });
  }
  const value: unknown = document.toJS() ?? {};
  const parsed = ConfigSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map(issueToConfigIssue);
}

/** A zod object's keys, looking through wrappers such as `.prefault()` and `.optional()`. */
function objectKeys(schema: unknown): Set<string> | undefined {
  let current = schema as { shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown } } } | undefined;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    if (current.shape !== undefined) return new Set(Object.keys(current.shape));
    current = current._zod?.def?.innerType as typeof current;
  }
  return undefined;
}

/**
 * Keys inside a section that the schema does not know (the sections themselves are not strict,
 * so a typo such as `execution.isolaton` would otherwise be ignored in silence).
 */
export function unknownSectionKeys(value: unknown): ConfigIssue[] {
  if (typeof value !== 'object' || value === null) return [];
  const issues: ConfigIssue[] = [];
  for (const [section, content] of Object.entries(value)) {
    const known = objectKeys((ConfigSchema.shape as Record<string, unknown>)[section]);
    if (known === undefined || typeof content !== 'object' || content === null || Array.isArray(content)) continue;
    for (const key of Object.keys(content)) {
      if (!known.has(key)) issues.push({ path: `${section}.${key}`, message: 'unknown key (a typo?); it is ignored', expected: [...known].join(', ') });
    }
  }
  return issues;
}

function issueToConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}` };
  }
  return { path, message: issue.message };
}

export async function checkConfig(projectDir: string, options: { config?: unknown; configFile?: string }): Promise<PreflightCheck> {
  const label = 'Configuration';
  const file = options.configFile ?? join(projectDir, CONFIG_FILE_NAME);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error));
  const issues: Array<ConfigIssue & { where: string }> = [];
  const unknown: Array<ConfigIssue & { where: string }> = [];
  if (text instanceof Error) {
    return fail('config', label, `${file} cannot be read: ${text.message}`, `Fix the permissions of ${file}.`);
  }
  if (text !== undefined) {
    for (const issue of validateConfigText(text)) issues.push({ ...issue, where: file });
    const document = parseDocument(text);
    if (document.errors.length === 0) for (const issue of unknownSectionKeys(document.toJS())) unknown.push({ ...issue, where: file });
  }
  if (options.config !== undefined) {
    const parsed = ConfigSchema.safeParse(options.config);
    if (!parsed.success) for (const issue of parsed.error.issues) issues.push({ ...issueToConfigIssue(issue), where: 'options' });
    for (const issue of unknownSectionKeys(options.config)) unknown.push({ ...issue, where: 'options' });
  }
  const describe = (list: typeof issues) => list.map((issue) => `${issue.where}: ${issue.path || '(root)'}: ${issue.message}${issue.expected === undefined ? '' : ` (known: ${issue.expected})`}`).join('\n');
  const where = text === undefined ? 'the options' : file;
  if (issues.length > 0) {
    return fail('config', label, `Invalid configuration:\n${describe([...issues, ...unknown])}`, `Correct the keys named above in ${where}; every key is optional, see the configuration reference.`);
  }
  if (unknown.length > 0) return warn('config', label, `Unknown configuration keys:\n${describe(unknown)}`, `Remove or correct them in ${where}.`);
  return pass('config', label, text === undefined ? `No ${CONFIG_FILE_NAME}; defaults apply.` : `${file} is valid.`);
}
