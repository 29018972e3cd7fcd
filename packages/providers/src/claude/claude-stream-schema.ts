import { z } from 'zod';

/** Token usage as Claude Code reports it (only the fields we read; others pass through). */
export const ClaudeUsageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

export const ClaudePermissionDenialSchema = z.looseObject({
  tool_name: z.string(),
  tool_use_id: z.string().nullish(),
  tool_input: z.unknown().optional(),
});

/**
 * The final `result` object of `claude -p --output-format json|stream-json` (also Qoder's).
 * `subtype` alone does not tell success: API failures come with `subtype: "success"` and
 * `is_error: true`.
 */
export const ClaudeResultSchema = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean(),
  result: z.string().nullish(),
  session_id: z.string().nullish(),
  num_turns: z.number().nullish(),
  duration_ms: z.number().nullish(),
  total_cost_usd: z.number().nullish(),
  usage: ClaudeUsageSchema.nullish(),
  permission_denials: z.array(ClaudePermissionDenialSchema).nullish(),
  terminal_reason: z.string().nullish(),
  api_error_status: z.number().nullish(),
  structured_output: z.unknown().optional(),
  errors: z.array(z.unknown()).nullish(),
});
export type ClaudeResult = z.infer<typeof ClaudeResultSchema>;

export const ClaudeInitSchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: z.string().nullish(),
  model: z.string().nullish(),
  permissionMode: z.string().nullish(),
  claude_code_version: z.string().nullish(),
  cwd: z.string().nullish(),
});

export const ClaudeApiRetrySchema = z.looseObject({
  type: z.literal('system'),
  subtype: z.literal('api_retry'),
  attempt: z.number(),
  max_retries: z.number().nullish(),
  retry_delay_ms: z.number().nullish(),
  error_status: z.number().nullish(),
  error: z.string().nullish(),
});

const ContentBlockSchema = z.looseObject({ type: z.string() });

export const ClaudeMessageLineSchema = z.looseObject({
  type: z.enum(['assistant', 'user']),
  message: z.looseObject({ content: z.union([z.string(), z.array(ContentBlockSchema)]).nullish() }),
  session_id: z.string().nullish(),
  /** Set on synthetic assistant messages that carry an API failure. */
  error: z.string().nullish(),
});
