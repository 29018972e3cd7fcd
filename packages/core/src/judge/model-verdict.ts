import { z } from 'zod';
import type { CompleteResult } from '@qoder-orch/spec';

/** The model's answer, read leniently: bad follow-ups are repaired or dropped later, not fatal. */
export const ModelVerdictSchema = z.object({
  isMet: z.boolean(),
  reasoning: z.string().default(''),
  criteria: z
    .array(z.object({ criterion: z.string(), isMet: z.boolean(), evidence: z.string().default('') }))
    .default([])
    .catch([]),
  followUpTasks: z.array(z.unknown()).default([]).catch([]),
});
export type ModelVerdict = z.infer<typeof ModelVerdictSchema>;

function jsonCandidates(text: string): string[] {
  const candidates = [text.trim()];
  for (const match of text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)) if (match[1]) candidates.push(match[1].trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  return candidates;
}

/** The verdict in a completion (structured JSON first, then JSON found in the text), or why there is none. */
export function parseModelVerdict(completion: CompleteResult): { verdict: ModelVerdict } | { problem: string } {
  const values: unknown[] = [];
  if (completion.json !== undefined) values.push(completion.json);
  for (const candidate of jsonCandidates(completion.text)) {
    try {
      values.push(JSON.parse(candidate));
    } catch {
      // Not this one.
    }
  }
  if (values.length === 0) return { problem: 'the answer held no JSON' };
  let problem = 'the answer did not match the verdict schema';
  for (const value of values) {
    const result = ModelVerdictSchema.safeParse(value);
    if (result.success) return { verdict: result.data };
    problem = `the answer did not match the verdict schema: ${result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ')}`;
  }
  return { problem };
}
