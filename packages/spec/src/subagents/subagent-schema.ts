import { z } from 'zod';

export const SUBAGENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

const toolList = z.union([z.string(), z.array(z.string())]).transform((value) => (Array.isArray(value) ? value : value.split(',')).map((tool) => tool.trim()).filter(Boolean));

/** The YAML front matter of a subagent file (Claude Code / Qoder format). */
export const SubagentFrontMatterSchema = z
  .object({
    name: z.string().regex(SUBAGENT_NAME_PATTERN, 'lowercase letters, digits and hyphens, starting with a letter'),
    description: z.string().min(1),
    tools: toolList.optional(),
    disallowedTools: toolList.optional(),
    model: z.string().optional(),
    permissionMode: z.enum(['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk', 'auto']).optional(),
    maxTurns: z.number().int().positive().optional(),
    /** qoder-orch extension: which provider runs this subagent (`claude`, `qoder`, …). */
    provider: z.string().optional(),
  })
  .passthrough();

export interface SubagentDefinition {
  name: string;
  description: string;
  /** Allowed tools; undefined means all. */
  tools?: string[];
  disallowedTools?: string[];
  model?: string;
  permissionMode?: 'default' | 'acceptEdits' | 'plan' | 'bypassPermissions' | 'dontAsk' | 'auto';
  maxTurns?: number;
  provider?: string;
  /** The markdown body. */
  systemPrompt: string;
  /** The file it came from, relative to the project, or `builtin:<name>`. */
  source: string;
}
