import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinSubagents, loadSubagents } from '../index';
import { BUILTIN_SUBAGENT_NAMES } from '@qoder-orch/spec';

let directory: string;
afterEach(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});
const file = async (path: string, text: string) => {
  await mkdir(join(directory, path, '..'), { recursive: true });
  await writeFile(join(directory, path), text);
};

describe('subagents', () => {
  it('ships four real defaults with tools, permission mode and a substantial prompt', () => {
    const builtins = builtinSubagents();
    expect(builtins.map((subagent) => subagent.name)).toEqual([...BUILTIN_SUBAGENT_NAMES].sort());
    for (const subagent of builtins) {
      expect(subagent.systemPrompt.length).toBeGreaterThan(1500);
      expect(subagent.systemPrompt).toContain('```json');
      expect(subagent.tools?.length).toBeGreaterThan(0);
      expect(subagent.source).toBe(`builtin:${subagent.name}`);
    }
  });

  it('loads project subagents over the builtins, first directory first, in the Claude Code / Qoder format', async () => {
    directory = await mkdtemp(join(tmpdir(), 'qoder-orch-agents-'));
    await file('.claude/agents/db-expert.md', '---\nname: db-expert\ndescription: Databases\ntools: Read, Bash\nmodel: sonnet\n---\nYou know SQL.\n');
    await file('.qoder/agents/db-expert.md', '---\nname: db-expert\ndescription: Databases (qoder)\n---\nYou know SQL well.\n');
    await file('subagents/backend-dev.md', '---\nname: backend-dev\ndescription: Our own backend dev\npermissionMode: acceptEdits\nmaxTurns: 12\n---\nFollow our rules.\n');
    const loaded = await loadSubagents(directory);
    const byName = new Map(loaded.map((subagent) => [subagent.name, subagent]));
    expect(byName.get('db-expert')).toMatchObject({ description: 'Databases (qoder)', source: '.qoder/agents/db-expert.md' });
    expect(byName.get('backend-dev')).toMatchObject({ description: 'Our own backend dev', maxTurns: 12, source: 'subagents/backend-dev.md' });
    expect(byName.get('architect')?.source).toBe('builtin:architect');
  });

  it('refuses an invalid file with its path and the problem', async () => {
    directory = await mkdtemp(join(tmpdir(), 'qoder-orch-agents-'));
    await file('.claude/agents/bad.md', '---\nname: Bad Name\ndescription: x\n---\nbody\n');
    await expect(loadSubagents(directory)).rejects.toMatchObject({ code: 'SUBAGENT_INVALID', message: expect.stringContaining('.claude/agents/bad.md') });
    await file('.claude/agents/bad.md', 'no front matter here\n');
    await expect(loadSubagents(directory)).rejects.toMatchObject({ code: 'SUBAGENT_INVALID', message: expect.stringContaining('front matter') });
  });
});
