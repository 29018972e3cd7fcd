import { isMap, LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from '@qoder-orch/spec';
import { configIssuesFrom } from './config-issues';
import { configFromFileKeys, configKeyToFileKey, filePathOf } from './config-keys';
import { ConfigSchema } from './config-schema';

/**
 * Reads the text of a config file: YAML syntax (every error, with line and column), a mapping
 * of sections, then the schema (key paths with their lines, as the file writes them). The value
 * is the file's own settings with the SDK's camelCase keys, before defaults; `issues` says
 * everything wrong with it at once.
 */
export function parseConfigText(text: string): { value: Record<string, unknown> } | { issues: ConfigIssue[]; cause?: unknown } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { path: '', message: `YAML syntax error at line ${position.line}, column ${position.col}: ${error.message.split('\n')[0]}` };
      }),
      cause: document.errors[0],
    };
  }
  if (document.contents === null) return { value: {} };
  if (!isMap(document.contents)) {
    return { issues: [{ path: '', message: 'the file must be a mapping of sections', expected: 'keys such as execution:, llm:, retry:' }] };
  }
  const mapped = configFromFileKeys(document.toJS() as Record<string, unknown>);
  const parsed = ConfigSchema.safeParse(mapped.value);
  if (parsed.success && mapped.issues.length === 0) return { value: mapped.value };
  const filePath = (pathParts: readonly PropertyKey[]) => pathParts.map((part) => (typeof part === 'string' ? configKeyToFileKey(part) : part));
  const lineOf = (pathParts: readonly PropertyKey[]) => {
    const node = document.getIn(filePath(pathParts) as unknown[], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  const schemaIssues = parsed.success
    ? []
    : configIssuesFrom(parsed.error, lineOf).map((issue) => ({ ...issue, path: filePathOf(issue.path), message: issue.message.replace(/^unknown key "([^"]+)"/, (_, key: string) => `unknown key "${configKeyToFileKey(key)}"`) }));
  return { issues: [...mapped.issues, ...schemaIssues], cause: parsed.success ? undefined : parsed.error };
}
