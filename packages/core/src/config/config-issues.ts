import type { z } from 'zod';
import type { ConfigIssue } from '@qoder-orch/spec';

/** What each schema issue expected, in words a person reads. */
function expectedOf(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'an integer' : `a ${issue.expected}`;
    case 'too_small':
      return `${issue.origin === 'array' ? 'at least' : 'a value of at least'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'too_big':
      return `${issue.origin === 'array' ? 'at most' : 'a value of at most'} ${String(issue.maximum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'invalid_value':
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys':
      return 'only the documented keys';
    default:
      return undefined;
  }
}

/** Turns zod issues into ConfigIssues with dotted key paths. */
export function configIssuesFrom(error: z.ZodError, lineOf?: (path: readonly PropertyKey[]) => number | undefined): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => {
      const pathParts = key === undefined ? issue.path : [...issue.path, key];
      const path = pathParts.map(String).join('.');
      const line = lineOf?.(pathParts);
      const expected = expectedOf(issue);
      const message = issue.code === 'unrecognized_keys' ? `unknown key "${key}"` : issue.message;
      return { path, message: line === undefined ? message : `${message} (line ${line})`, ...(expected === undefined ? {} : { expected }) };
    });
  });
}
