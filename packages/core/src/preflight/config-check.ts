import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigSchema } from '../config/config-schema';
import { configIssuesFrom } from '../config/config-issues';
import { CONFIG_FILE_NAME } from '../config/load-config';
import { parseConfigText } from '../config/parse-config-text';
import type { ConfigIssue } from '@qoder-orch/spec';
import type { PreflightCheck } from './preflight-report';
import { fail, pass } from './check-result';

/** Every problem of a configuration file's text (syntax with line and column, key paths with lines). */
export function validateConfigText(text: string): ConfigIssue[] {
  const parsed = parseConfigText(text);
  return 'issues' in parsed ? parsed.issues : [];
}

export async function checkConfig(projectDir: string, options: { config?: unknown; configFile?: string }): Promise<PreflightCheck> {
  const label = 'Configuration';
  const file = options.configFile ?? join(projectDir, CONFIG_FILE_NAME);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : error));
  const issues: Array<ConfigIssue & { where: string }> = [];
  if (text instanceof Error) {
    return fail('config', label, `${file} cannot be read: ${text.message}`, `Fix the permissions of ${file}.`);
  }
  if (text !== undefined) {
    for (const issue of validateConfigText(text)) issues.push({ ...issue, where: file });
  }
  if (options.config !== undefined) {
    const parsed = ConfigSchema.safeParse(options.config);
    if (!parsed.success) for (const issue of configIssuesFrom(parsed.error)) issues.push({ ...issue, where: 'options' });
  }
  const describe = (list: typeof issues) => list.map((issue) => `${issue.where}: ${issue.path || '(root)'}: ${issue.message}${issue.expected === undefined ? '' : ` (expected ${issue.expected})`}`).join('\n');
  const where = text === undefined ? 'the options' : file;
  if (issues.length > 0) {
    return fail('config', label, `Invalid configuration:\n${describe(issues)}`, `Correct the keys named above in ${where}; every key is optional, see the configuration reference.`);
  }
  return pass('config', label, text === undefined ? `No ${CONFIG_FILE_NAME}; defaults apply.` : `${file} is valid.`);
}
