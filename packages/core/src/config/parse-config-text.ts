import { isMap, LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from '@qoder-orch/spec';
import { configIssuesFrom } from './config-issues';
import { ConfigSchema } from './config-schema';

/**
 * Reads the text of a config file: YAML syntax (every error, with line and column), a mapping
 * of sections, then the schema (key paths with their lines). The value is the file's own
 * settings, before defaults; `issues` says everything wrong with it at once.
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
  const value = document.toJS() as Record<string, unknown>;
  const parsed = ConfigSchema.safeParse(value);
  if (parsed.success) return { value };
  const lineOf = (pathParts: readonly PropertyKey[]) => {
    const node = document.getIn(pathParts as unknown[], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  return { issues: configIssuesFrom(parsed.error, lineOf), cause: parsed.error };
}
