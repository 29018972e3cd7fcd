import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OrchestratorError, SAFE_GIT_CONFIG, SAFE_GIT_UNSAFE_OPTIONS } from '@qoder-orch/spec';
import { simpleGit } from 'simple-git';
import { z } from 'zod';
import { writeFileAtomicCreatingFolder } from '../files/atomic-write';
import { contentHash } from '../files/content-hash';
import { readJsonFile } from '../files/read-json';
import { resolveInsideProject } from '../sources/discover-sources';

/** One place where what happened differs from what the wiki says (the agent's `deviations` entry, or a judge finding). */
export const WikiDeviationSchema = z.object({
  /** The documentation file the observation contradicts, relative to the project. */
  wikiSource: z.string().min(1).optional(),
  observed: z.string().min(1),
});
export type WikiDeviation = z.infer<typeof WikiDeviationSchema>;

export const WikiObservationSchema = z.object({
  /** Who reported it: the agent in its structured result, or the judge from evidence. */
  origin: z.enum(['agent', 'judge']),
  runId: z.string().optional(),
  taskId: z.string().optional(),
  deviations: z.array(WikiDeviationSchema),
  /** What backs it beyond the report itself: verification output, a diff excerpt, the judge's reasoning. */
  evidence: z.array(z.string()).default([]),
});
export type WikiObservation = z.input<typeof WikiObservationSchema>;

export const WikiProposalSchema = z.object({
  /** Content hash of the target and the observation: the same finding twice is one proposal. */
  id: z.string(),
  createdAt: z.string(),
  origin: z.enum(['agent', 'judge']),
  runId: z.string().optional(),
  taskId: z.string().optional(),
  wikiSource: z.string().optional(),
  observed: z.string(),
  evidence: z.array(z.string()),
  /** The markdown that `apply` appends to the wiki file. */
  addition: z.string(),
  status: z.enum(['proposed', 'applied']),
  /** The commit that applied it. */
  commit: z.string().optional(),
  /** Why it was not applied (the last time `apply` was asked). */
  keptBecause: z.string().optional(),
});
/** A proposed wiki update with its evidence, stored as `<id>.json` and `<id>.md` for review. */
export type WikiProposal = z.infer<typeof WikiProposalSchema>;

export interface WikiApplyResult {
  isApplied: boolean;
  /** The commit that holds the wiki edit. */
  commit?: string;
  /** Why the proposal was kept for review instead. */
  reason?: string;
  proposal: WikiProposal;
}

export interface WikiLearnerOptions {
  /** The project (a git repository for `apply`). */
  projectDir: string;
  /** `learning.auto_apply`: `apply` edits and commits the wiki; otherwise proposals are only kept for review. @default false */
  autoApply?: boolean;
  /** Where proposals are written. @default `<projectDir>/.qoder-orch/wiki-proposals` */
  proposalsDirectory?: string;
  /** Author and committer of wiki commits. @default { name: 'qoder-orch', email: 'qoder-orch@localhost' } */
  gitIdentity?: { name: string; email: string };
  /** @default () => new Date() */
  now?: () => Date;
}

export interface WikiLearner {
  /** Writes one proposal per deviation (deduplicated, evidence merged) and returns them. Never edits the wiki. */
  propose(observation: WikiObservation): Promise<WikiProposal[]>;
  /** Every stored proposal, oldest first. */
  list(): Promise<WikiProposal[]>;
  /**
   * Appends the proposal to its wiki file and commits that file alone, only when `autoApply`
   * is on, the target is a markdown file in the project without uncommitted edits, and the
   * proposal has evidence beyond the agent's own claim. Otherwise the proposal is kept for review.
   */
  apply(proposal: WikiProposal | string): Promise<WikiApplyResult>;
}

const MARKDOWN = /\.(md|mdx|markdown)$/i;
const MARKER = (id: string) => `<!-- qoder-orch:wiki-learning ${id} -->`;

function reviewMarkdown(proposal: WikiProposal): string {
  const lines = [
    `# Wiki update proposal ${proposal.id}`,
    '',
    `- Target: ${proposal.wikiSource ?? '(no wiki file named)'}`,
    `- Reported by: ${proposal.origin}${proposal.taskId === undefined ? '' : `, task ${proposal.taskId}`}${proposal.runId === undefined ? '' : `, run ${proposal.runId}`}`,
    `- Status: ${proposal.status}${proposal.commit === undefined ? '' : ` (commit ${proposal.commit})`}${proposal.keptBecause === undefined ? '' : ` (kept for review: ${proposal.keptBecause})`}`,
    `- Created: ${proposal.createdAt}`,
    '',
    '## Observed',
    '',
    proposal.observed,
    '',
    '## Evidence',
    '',
    ...(proposal.evidence.length === 0 ? ['(none beyond the report itself)'] : proposal.evidence.map((item) => `- ${item.replace(/\n/g, '\n  ')}`)),
    '',
    '## Proposed addition',
    '',
    proposal.addition,
    '',
  ];
  return lines.join('\n');
}

function gitEnvironment(identity: { name: string; email: string }): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !name.toUpperCase().startsWith('GIT_')) environment[name] = value;
  return {
    ...environment,
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}

/**
 * Learns from execution without guessing: deviations reported by agents or found by the judge
 * become proposals on disk (`.qoder-orch/wiki-proposals/<id>.md` for people, `<id>.json` for
 * tools); only `apply` with `autoApply` on changes the wiki, as one ordinary git commit.
 */
export function createWikiLearner(options: WikiLearnerOptions): WikiLearner {
  const projectDir = options.projectDir;
  const directory = options.proposalsDirectory ?? join(projectDir, '.qoder-orch', 'wiki-proposals');
  const now = options.now ?? (() => new Date());
  const identity = options.gitIdentity ?? { name: 'qoder-orch', email: 'qoder-orch@localhost' };

  const save = async (proposal: WikiProposal) => {
    await writeFileAtomicCreatingFolder(join(directory, `${proposal.id}.json`), `${JSON.stringify(proposal, null, 2)}\n`);
    await writeFileAtomicCreatingFolder(join(directory, `${proposal.id}.md`), reviewMarkdown(proposal));
  };
  const load = (id: string) => readJsonFile(join(directory, `${id}.json`), WikiProposalSchema);

  const keep = async (proposal: WikiProposal, reason: string): Promise<WikiApplyResult> => {
    const kept = { ...proposal, keptBecause: reason };
    await save(kept);
    return { isApplied: false, reason, proposal: kept };
  };

  return {
    async propose(input) {
      const observation = WikiObservationSchema.parse(input);
      const proposals: WikiProposal[] = [];
      for (const deviation of observation.deviations) {
        const observed = deviation.observed.trim();
        if (!observed) continue;
        let wikiSource: string | undefined;
        if (deviation.wikiSource !== undefined) {
          try {
            wikiSource = resolveInsideProject(projectDir, deviation.wikiSource);
          } catch {
            wikiSource = undefined; // a path outside the project is never a target
          }
        }
        const id = contentHash([wikiSource ?? '', observed.replace(/\s+/g, ' ').toLowerCase()], 12);
        const previous = await load(id);
        const context = [observation.runId === undefined ? '' : `run ${observation.runId}`, observation.taskId === undefined ? '' : `task ${observation.taskId}`].filter(Boolean).join(', ');
        const date = now().toISOString().slice(0, 10);
        const proposal: WikiProposal = previous
          ? { ...previous, evidence: [...new Set([...previous.evidence, ...observation.evidence])] }
          : {
              id,
              createdAt: now().toISOString(),
              origin: observation.origin,
              ...(observation.runId === undefined ? {} : { runId: observation.runId }),
              ...(observation.taskId === undefined ? {} : { taskId: observation.taskId }),
              ...(wikiSource === undefined ? {} : { wikiSource }),
              observed,
              evidence: [...new Set(observation.evidence)],
              addition: `${MARKER(id)}\n> **Observed in practice** (${date}${context ? `, ${context}` : ''}): ${observed.replace(/\n/g, '\n> ')}`,
              status: 'proposed',
            };
        await save(proposal);
        proposals.push(proposal);
      }
      return proposals;
    },

    async list() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch {
        return [];
      }
      const proposals: WikiProposal[] = [];
      for (const name of names.filter((file) => file.endsWith('.json'))) {
        const proposal = await load(name.slice(0, -'.json'.length));
        if (proposal) proposals.push(proposal);
      }
      return proposals.sort((left, right) => left.createdAt.localeCompare(right.createdAt) || left.id.localeCompare(right.id));
    },

    async apply(input) {
      const proposal = typeof input === 'string' ? await load(input) : ((await load(input.id)) ?? input);
      if (!proposal) {
        throw new OrchestratorError({ code: 'UNKNOWN', message: `No wiki proposal "${String(input)}" in ${directory}.`, fix: 'Pass a proposal returned by propose() or list().' });
      }
      if (proposal.status === 'applied') return { isApplied: true, ...(proposal.commit === undefined ? {} : { commit: proposal.commit }), proposal };
      if (options.autoApply !== true) return keep(proposal, 'learning.auto_apply is off');
      if (proposal.wikiSource === undefined) return keep(proposal, 'no wiki file was named');
      if (!MARKDOWN.test(proposal.wikiSource)) return keep(proposal, `${proposal.wikiSource} is not a markdown wiki page`);
      if (proposal.evidence.length === 0) return keep(proposal, 'no evidence beyond the report itself');
      const target = join(projectDir, proposal.wikiSource);
      if (!existsSync(target)) return keep(proposal, `${proposal.wikiSource} does not exist`);

      let original: string | undefined;
      const git = simpleGit({ baseDir: projectDir, config: [...SAFE_GIT_CONFIG], unsafe: SAFE_GIT_UNSAFE_OPTIONS }).env(gitEnvironment(identity));
      try {
        if (!(await git.checkIsRepo())) return keep(proposal, `${projectDir} is not a git repository`);
        const status = (await git.raw(['status', '--porcelain', '--', proposal.wikiSource])).trim();
        if (status !== '' && !status.startsWith('??')) return keep(proposal, `${proposal.wikiSource} has uncommitted changes; commit or stash them first`);
        const current = await readFile(target, 'utf8');
        if (!current.includes(MARKER(proposal.id))) {
          original = current;
          await writeFile(target, `${current.replace(/\s*$/, '')}\n\n${proposal.addition}\n`);
        }
        await git.raw(['add', '--', proposal.wikiSource]);
        const subject = `wiki: ${proposal.observed.split('\n')[0]?.slice(0, 60) ?? 'update'}`;
        const body = `Applied wiki proposal ${proposal.id} (${proposal.origin}${proposal.taskId === undefined ? '' : `, task ${proposal.taskId}`}).\n\nEvidence:\n${proposal.evidence.map((item) => `- ${item.split('\n')[0]}`).join('\n')}`;
        await git.raw(['commit', '-m', subject, '-m', body, '--', proposal.wikiSource]);
        const commit = (await git.revparse(['HEAD'])).trim();
        const { keptBecause: _keptBecause, ...rest } = proposal;
        const applied: WikiProposal = { ...rest, status: 'applied', commit };
        await save(applied);
        return { isApplied: true, commit, proposal: applied };
      } catch (error) {
        // Leave the wiki as it was: the proposal stays on disk for review.
        if (original !== undefined) {
          await writeFile(target, original).catch(() => undefined);
          await git.raw(['reset', '-q', '--', proposal.wikiSource]).catch(() => undefined);
        }
        throw new OrchestratorError({
          code: 'GIT_ERROR',
          message: `Applying wiki proposal ${proposal.id} to ${proposal.wikiSource} failed: ${error instanceof Error ? error.message : String(error)}`,
          cause: error,
          fix: 'Check the repository state (git status); the proposal is still stored for review.',
        });
      }
    },
  };
}
