import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Task } from '@qoder-orch/spec';

/** A small hand-made project whose right chunk for each task is known. */
export const SAMPLE_FILES: Record<string, string> = {
  'AGENTS.md': '# Project rules\n\nUse TypeScript strict mode. Run pnpm test before finishing.\n',
  // The same rule in Claude's memory file: sent once.
  'CLAUDE.md': '# Project rules\n\nUse TypeScript strict mode. Run pnpm test before finishing.\n',
  '.qoder/rules/style.md': '---\ntrigger: always_on\n---\n# Style\n\nNames explain themselves; no abbreviations.\n',
  'wiki/auth.md': [
    '# Authentication',
    '',
    '## Login and sessions',
    '',
    'Users login with email and password. Passwords are hashed with bcrypt. The session token is a signed jwt that expires after one hour; refresh tokens rotate.',
    '',
    '## Roles',
    '',
    'Admin and user roles: permissions are checked by the authorization middleware on every request.',
    '',
  ].join('\n'),
  'wiki/payments.md': '# Payments\n\n## Checkout\n\nThe cart checkout creates an order and an invoice for the customer. Prices are integers in cents. A payment is retried after a timeout.\n',
  'wiki/database.md': '# Database\n\n## Migrations\n\nEvery schema change is a sql migration file in db/migrations; run the migrations before the tests. Add an index for every query on a foreign key.\n',
  '.claude/skills/ui/SKILL.md': '---\nname: ui\ndescription: Building pages\n---\n# UI components\n\nEvery page is made of react components; button and form styles come from css modules.\n',
  '.claude/agents/reviewer.md': '---\nname: reviewer\ndescription: Reviews diffs for style and risk.\ntools: Read, Grep\n---\nYou review code. Report problems; never edit files.\n',
  'subagents/backend-dev.md': '---\nname: backend-dev\ndescription: The project backend developer.\n---\nYou write the server code of this project in Go. REVIEWER-PROMPT-MARKER\n',
  '.qoder/agents/broken.md': 'no front matter here\n',
};

export async function writeProject(projectDir: string, files: Record<string, string> = SAMPLE_FILES): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(projectDir, path)), { recursive: true });
    await writeFile(join(projectDir, path), text);
  }
}

export function sampleTask(overrides: Partial<Task> & Pick<Task, 'title'>): Task {
  return { id: 't1', description: '', agent: 'backend-dev', dependsOn: [], files: [], acceptance: [], verify: [], estimateMinutes: 10, ...overrides };
}

/** Each task and the source of the chunk that must rank first for it. */
export const RANKING_CASES: Array<{ task: Task; expectedSource: string; expectedHeading: string }> = [
  {
    task: sampleTask({ title: 'Add password reset to login', description: 'A user who forgot the password gets a reset token by email.', files: ['src/auth/reset.ts'] }),
    expectedSource: 'wiki/auth.md',
    expectedHeading: 'Authentication > Login and sessions',
  },
  {
    task: sampleTask({ title: 'Add a migration for the orders table', description: 'New sql schema with an index on customer id.' }),
    expectedSource: 'wiki/database.md',
    expectedHeading: 'Database > Migrations',
  },
  {
    task: sampleTask({ title: 'Apply a discount price at checkout', description: 'The cart total and the invoice show the discount.' }),
    expectedSource: 'wiki/payments.md',
    expectedHeading: 'Payments > Checkout',
  },
  {
    task: sampleTask({ title: 'Add a settings page', description: 'A react component with a form and a save button.', agent: 'frontend-dev' }),
    expectedSource: '.claude/skills/ui/SKILL.md',
    expectedHeading: 'UI components',
  },
];
