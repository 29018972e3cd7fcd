import { z } from 'zod';
import { TaskSchema } from './task';

export const CriterionVerdictSchema = z.object({
  criterion: z.string(),
  isMet: z.boolean(),
  /** What the judgement rests on: command output, contract findings, diffs. */
  evidence: z.string(),
});

export const VerdictSchema = z.object({
  isMet: z.boolean(),
  /** One paragraph. */
  reasoning: z.string(),
  criteria: z.array(CriterionVerdictSchema).default([]),
  /** Tasks to run next when the objective is not met yet. */
  followUpTasks: z.array(TaskSchema).default([]),
  /** Where the verdict came from: the model's answer checked against evidence, or evidence alone. */
  basis: z.enum(['model+evidence', 'evidence']).default('model+evidence'),
});
export type Verdict = z.infer<typeof VerdictSchema>;
