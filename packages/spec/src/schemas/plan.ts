import { z } from 'zod';
import { TaskSchema } from './task';

export const MAX_PLAN_TASKS = 500;

export const PlanSchema = z.object({
  objective: z.string().min(1),
  summary: z.string().default(''),
  tasks: z.array(TaskSchema).min(1, 'a plan needs at least one task').max(MAX_PLAN_TASKS, `at most ${MAX_PLAN_TASKS} tasks`),
});

export type Plan = z.infer<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;
