import type { ContextChunk, ScoredChunk } from '@qoder-orch/spec';
import { estimateTokens } from '../chunking/token-estimate';
import { contentHash } from '../files/content-hash';

export interface PackedContext {
  text: string;
  chunks: ScoredChunk[];
  tokens: number;
  /** The rules alone are over the budget (they are still all included). */
  isRulesOverBudget: boolean;
}

const RULES_HEADER = '## Project rules (always apply)';
const KNOWLEDGE_HEADER = '## Project knowledge relevant to this task (most relevant first)';

function block(chunk: ContextChunk, score?: number): string {
  const where = chunk.heading === undefined ? chunk.source : `${chunk.source} > ${chunk.heading}`;
  const relevance = score === undefined ? '' : ` (relevance ${score.toFixed(2)})`;
  // The block header names the heading path: the chunk's own heading line would only repeat it.
  const body = chunk.heading === undefined ? chunk.text : chunk.text.replace(/^#{1,6}[ \t]+[^\n]*\n*/, '');
  return `### From ${where}${relevance}\n\n${body.trim() === '' ? chunk.text : body}`;
}

const textKey = (text: string) => contentHash([text.replace(/\s+/g, ' ').trim().toLowerCase()]);

/**
 * Lays out a task's context: every rule and memory chunk first (always, even over the budget),
 * then the candidates best first while they fit in `tokenBudget`, skipping any whose text was
 * already included (the same paragraph in two files is sent once). Each block names its source.
 */
export function packContext(rules: readonly ContextChunk[], candidates: readonly ScoredChunk[], tokenBudget: number): PackedContext {
  const seen = new Set<string>();
  const chunks: ScoredChunk[] = [];
  const ruleBlocks: string[] = [];
  for (const rule of rules) {
    const key = textKey(rule.text);
    if (seen.has(key)) continue;
    seen.add(key);
    ruleBlocks.push(block(rule));
    chunks.push({ ...rule, score: 1 });
  }
  const sections: string[] = [];
  if (ruleBlocks.length > 0) sections.push([RULES_HEADER, ...ruleBlocks].join('\n\n'));
  let used = estimateTokens(sections.join('\n\n'));
  const isRulesOverBudget = used > tokenBudget;
  const knowledgeBlocks: string[] = [];
  for (const candidate of candidates) {
    const key = textKey(candidate.text);
    if (seen.has(key)) continue;
    const text = block(candidate, candidate.score);
    const cost = estimateTokens(`\n\n${knowledgeBlocks.length === 0 ? `${KNOWLEDGE_HEADER}\n\n` : ''}${text}`);
    if (used + cost > tokenBudget) continue;
    seen.add(key);
    used += cost;
    knowledgeBlocks.push(text);
    chunks.push(candidate);
  }
  if (knowledgeBlocks.length > 0) sections.push([KNOWLEDGE_HEADER, ...knowledgeBlocks].join('\n\n'));
  const text = sections.join('\n\n');
  return { text, chunks, tokens: estimateTokens(text), isRulesOverBudget };
}
