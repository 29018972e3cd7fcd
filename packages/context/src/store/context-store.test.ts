import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinSubagents, OrchestratorError } from '@qoder-orch/spec';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { contextStoreOptionsFromConfig, createContextStore, createTransformersEmbedder } from '../index';
import type { ContextStoreOptions, ContextWarning, Embedder } from '../index';
import { createTinyBertModel } from '../test/index';
import type { TinyBertModel } from '../test/index';
import { RANKING_CASES, SAMPLE_FILES, sampleTask, writeProject } from './__fixtures__/sample-project';

let root: string;
let model: TinyBertModel;
let sharedEmbedder: Embedder;
let projectCount = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qo-context-store-'));
  model = await createTinyBertModel(join(root, 'models'));
  sharedEmbedder = createTransformersEmbedder({ modelDir: model.modelDir, modelName: model.modelName, allowRemoteModels: false });
  await sharedEmbedder.load?.();
});

afterAll(async () => {
  await sharedEmbedder.dispose?.();
  await rm(root, { recursive: true, force: true });
});

async function newProject(files: Record<string, string> = SAMPLE_FILES): Promise<string> {
  projectCount += 1;
  const projectDir = join(root, `project-${projectCount}`);
  await writeProject(projectDir, files);
  return projectDir;
}

/** The real model, counting which texts it was asked to embed. */
function countingEmbedder(): Embedder & { embedded: string[] } {
  const embedded: string[] = [];
  return {
    modelName: sharedEmbedder.modelName,
    embedded,
    embed: async (texts, options) => {
      embedded.push(...texts);
      return sharedEmbedder.embed(texts, options);
    },
  };
}

function storeOn(projectDir: string, extra: Partial<ContextStoreOptions> = {}) {
  const warnings: ContextWarning[] = [];
  const store = createContextStore({
    projectDir,
    modelDir: model.modelDir,
    modelName: model.modelName,
    allowRemoteModels: false,
    ...extra,
  });
  store.on('warning', (warning) => warnings.push(warning));
  return { store, warnings };
}

const retrievedOf = <T extends { kind: string }>(chunks: T[]) => chunks.filter((chunk) => chunk.kind !== 'rule' && chunk.kind !== 'memory');

describe('ranking on a hand-made corpus', () => {
  test('semantic: the known right chunk comes first for every task (real model path from modelDir)', async () => {
    const { store, warnings } = storeOn(await newProject());
    const refreshed = await store.refresh();
    expect(refreshed.ranking).toBe('semantic');
    expect(warnings.map((warning) => warning.code)).toEqual(['SUBAGENT_INVALID']);
    for (const { task, expectedSource, expectedHeading } of RANKING_CASES) {
      const context = await store.contextFor(task, { tokenBudget: 4000 });
      const [best] = retrievedOf(context.chunks);
      expect({ title: task.title, source: best?.source, heading: best?.heading }).toEqual({ title: task.title, source: expectedSource, heading: expectedHeading });
      const [searched] = await store.search(`${task.title}\n${task.description}`, 3);
      expect(searched?.source).toBe(expectedSource);
    }
    expect(store.stats().embeddingsComputed).toBe(5);
    await store.close();
  });

  test('lexical fallback: a missing model dir gives one clear warning, ranking "lexical", and still the right chunks', async () => {
    const { store, warnings } = storeOn(await newProject(), { modelDir: join(root, 'no-models-here') });
    const refreshed = await store.refresh();
    expect(refreshed.ranking).toBe('lexical');
    for (const { task, expectedSource } of RANKING_CASES) {
      const context = await store.contextFor(task, { tokenBudget: 4000 });
      expect(retrievedOf(context.chunks)[0]?.source).toBe(expectedSource);
    }
    await store.refresh();
    const embeddingWarnings = warnings.filter((warning) => warning.code === 'EMBEDDING_UNAVAILABLE');
    expect(embeddingWarnings).toHaveLength(1);
    expect(embeddingWarnings[0]?.message).toContain(model.modelName);
    expect(embeddingWarnings[0]?.message).toContain('BM25');
    expect(store.stats().ranking).toBe('lexical');
    await store.close();
  });

  test('semantic search switched off ranks lexically without loading a model or warning', async () => {
    const embedder = countingEmbedder();
    const { store, warnings } = storeOn(await newProject(), { isSemanticSearchEnabled: false, embedder });
    expect((await store.refresh()).ranking).toBe('lexical');
    expect(retrievedOf((await store.contextFor(RANKING_CASES[0]!.task, { tokenBudget: 4000 })).chunks)[0]?.source).toBe('wiki/auth.md');
    expect(embedder.embedded).toEqual([]);
    expect(warnings.filter((warning) => warning.code === 'EMBEDDING_UNAVAILABLE')).toEqual([]);
  });
});

describe('contextFor', () => {
  test('rules and memory always, once each, sources named, front matter dropped, the subagent prompt not repeated, under the budget', async () => {
    const { store } = storeOn(await newProject(), { embedder: sharedEmbedder });
    await store.refresh();
    const subagent = (await store.subagents()).find((definition) => definition.name === 'backend-dev');
    if (!subagent) throw new Error('the project backend-dev subagent is missing');
    const task = RANKING_CASES[0]!.task;
    const context = await store.contextFor(task, { tokenBudget: 4000, subagent });
    expect(context.text.match(/Use TypeScript strict mode/g)).toHaveLength(1);
    expect(context.text).toContain('Names explain themselves');
    expect(context.text).toContain('### From AGENTS.md > Project rules');
    expect(context.text).toContain('### From .qoder/rules/style.md > Style');
    expect(context.text).toMatch(/### From wiki\/auth\.md > Authentication > Login and sessions \(relevance 0\.\d\d\)/);
    expect(context.text).not.toContain('trigger: always_on');
    expect(context.text).not.toContain('REVIEWER-PROMPT-MARKER');
    expect(context.tokens).toBeLessThanOrEqual(4000);
    expect(context.chunks.filter((chunk) => chunk.kind === 'memory' || chunk.kind === 'rule').map((chunk) => chunk.source)).toEqual(['AGENTS.md', '.qoder/rules/style.md']);
    expect(context.version).toBe(store.stats().version);

    // A budget that only fits the rules: every rule still goes, no wiki chunk does.
    const rulesOnly = await store.contextFor(task, { tokenBudget: 60 });
    expect(rulesOnly.text).toContain('Use TypeScript strict mode');
    expect(retrievedOf(rulesOnly.chunks)).toEqual([]);
    // Budgets in between are respected to the token.
    for (const budget of [90, 120, 160, 220]) {
      const context = await store.contextFor(task, { tokenBudget: budget });
      expect(context.tokens).toBeLessThanOrEqual(budget);
    }
  });

  test('rules over the budget are still sent, with one warning', async () => {
    const { store, warnings } = storeOn(await newProject(), { embedder: sharedEmbedder });
    const context = await store.contextFor(RANKING_CASES[0]!.task, { tokenBudget: 10 });
    expect(context.text).toContain('Names explain themselves');
    await store.contextFor(RANKING_CASES[1]!.task, { tokenBudget: 10 });
    expect(warnings.filter((warning) => warning.code === 'RULES_OVER_BUDGET')).toHaveLength(1);
  });

  test('an empty project never crashes', async () => {
    const { store, warnings } = storeOn(await newProject({}));
    const refreshed = await store.refresh();
    expect(refreshed).toMatchObject({ added: 0, removed: 0, modified: 0, unchanged: 0 });
    expect(refreshed.version).not.toBe('');
    const context = await store.contextFor(sampleTask({ title: 'Anything at all' }), { tokenBudget: 1000 });
    expect(context).toMatchObject({ text: '', chunks: [], tokens: 0, version: refreshed.version });
    expect(await store.search('anything', 5)).toEqual([]);
    expect(await store.rules()).toEqual([]);
    expect((await store.subagents()).map((definition) => definition.name)).toEqual(builtinSubagents().map((definition) => definition.name));
    expect(warnings).toEqual([]);
    await store.close();
  });

  test('an unwritable cache directory is a warning, never a crash', async () => {
    const projectDir = await newProject();
    const { store, warnings } = storeOn(projectDir, { embedder: sharedEmbedder, cacheDirectory: join(projectDir, 'AGENTS.md', 'cache') });
    expect((await store.refresh()).ranking).toBe('semantic');
    expect(retrievedOf((await store.contextFor(RANKING_CASES[0]!.task, { tokenBudget: 4000 })).chunks)[0]?.source).toBe('wiki/auth.md');
    await store.close();
    expect(warnings.filter((warning) => warning.code === 'CACHE_UNWRITABLE').length).toBeGreaterThanOrEqual(3);
  });

  test('an aborted refresh stops with ABORTED', async () => {
    const { store } = storeOn(await newProject(), { embedder: sharedEmbedder });
    const controller = new AbortController();
    controller.abort();
    const error = await store.refresh({ abortSignal: controller.signal }).catch((caught: unknown) => caught);
    expect(OrchestratorError.isInstance(error) && error.code).toBe('ABORTED');
  });
});

describe('subagents and rules', () => {
  test('project subagents override builtins by name, invalid files are a warning, Claude and seed folders are read', async () => {
    const { store, warnings } = storeOn(await newProject(), { embedder: sharedEmbedder });
    const subagents = await store.subagents();
    const byName = new Map(subagents.map((definition) => [definition.name, definition]));
    expect(byName.get('backend-dev')?.source).toBe('subagents/backend-dev.md');
    expect(byName.get('backend-dev')?.systemPrompt).toContain('in Go');
    expect(byName.get('reviewer')).toMatchObject({ source: '.claude/agents/reviewer.md', tools: ['Read', 'Grep'] });
    expect(byName.get('architect')?.source).toBe('builtin:architect');
    expect(subagents.filter((definition) => definition.name === 'backend-dev')).toHaveLength(1);
    const invalid = warnings.find((warning) => warning.code === 'SUBAGENT_INVALID');
    expect(invalid?.message).toContain('.qoder/agents/broken.md');
    const rules = await store.rules();
    expect(rules.map((rule) => `${rule.kind}:${rule.source}`)).toEqual(['memory:AGENTS.md', 'memory:CLAUDE.md', 'rule:.qoder/rules/style.md']);
  });
});

describe('Qoder rule triggers', () => {
  test('always_on and plain rules go to every task, glob rules to tasks touching matching files, model_decision rules are retrieved, manual rules never sent', async () => {
    const projectDir = await newProject({
      '.qoder/rules/plain.md': '# Plain\n\nPLAIN-RULE applies everywhere.\n',
      '.qoder/rules/always.md': '---\ntrigger: always_on\n---\n# Always\n\nALWAYS-RULE applies everywhere.\n',
      '.qoder/rules/typescript.md': '---\ntrigger: glob\nglobs: "*.ts,*.tsx"\n---\n# TypeScript\n\nTS-RULE: no any.\n',
      '.qoder/rules/docs.md': '---\ntrigger: glob\nglobs: docs/**/*.md\n---\n# Docs\n\nDOCS-RULE: one sentence per line.\n',
      '.qoder/rules/manual.md': '---\ntrigger: manual\n---\n# Manual\n\nMANUAL-RULE only on request.\n',
      '.qoder/rules/tests.md': '---\ntrigger: model_decision\ndescription: writing unit tests\n---\n# Unit tests\n\nTESTS-RULE: every unit test checks one behaviour; test files sit next to the code.\n',
    });
    const { store } = storeOn(projectDir, { embedder: sharedEmbedder, similarityThreshold: 0.1 });
    const codeTask = await store.contextFor(sampleTask({ title: 'Write unit tests for the parser', files: ['src/parser.ts'] }), { tokenBudget: 4000 });
    expect(codeTask.text).toContain('PLAIN-RULE');
    expect(codeTask.text).toContain('ALWAYS-RULE');
    expect(codeTask.text).toContain('TS-RULE');
    expect(codeTask.text).not.toContain('DOCS-RULE');
    expect(codeTask.text).not.toContain('MANUAL-RULE');
    expect(codeTask.chunks.find((chunk) => chunk.text.includes('TESTS-RULE'))).toMatchObject({ source: '.qoder/rules/tests.md', kind: 'skill' });
    const docsTask = await store.contextFor(sampleTask({ title: 'Document the API', files: ['docs/api/users.md'] }), { tokenBudget: 4000 });
    expect(docsTask.text).toContain('DOCS-RULE');
    expect(docsTask.text).not.toContain('TS-RULE');
  });
});

describe('versions and incremental re-indexing', () => {
  test('after edits only the changed chunks are embedded, and the version log records what changed by source and hash', async () => {
    const projectDir = await newProject();
    const embedder = countingEmbedder();
    const { store } = storeOn(projectDir, { embedder });
    const first = await store.refresh();
    expect(first).toMatchObject({ added: 8, modified: 0, removed: 0, unchanged: 0, ranking: 'semantic' });
    expect(embedder.embedded).toHaveLength(5); // wiki and skill chunks; rules and memory are never retrieved by meaning

    const auth = await readFile(join(projectDir, 'wiki/auth.md'), 'utf8');
    await writeFile(join(projectDir, 'wiki/auth.md'), auth.replace('on every request.', 'on every request, and admins may impersonate users.'));
    await writeFile(join(projectDir, 'wiki/queues.md'), '# Queues\n\nBackground jobs run on a worker queue with retry.\n');
    await unlink(join(projectDir, 'wiki/payments.md'));
    embedder.embedded.length = 0;

    const second = await store.refresh();
    expect(second).toMatchObject({ added: 1, modified: 1, removed: 1, unchanged: 6 });
    expect(second.version).not.toBe(first.version);
    expect(embedder.embedded).toHaveLength(2);
    expect(embedder.embedded.some((text) => text.includes('impersonate'))).toBe(true);
    expect(embedder.embedded.some((text) => text.includes('worker queue'))).toBe(true);

    const versions = await store.versions();
    expect(versions.map((entry) => entry.version)).toEqual([first.version, second.version]);
    const last = versions[1]!;
    expect(last.previous).toBe(first.version);
    expect(last.added.map((chunk) => chunk.source)).toEqual(['wiki/queues.md']);
    expect(last.modified).toEqual([expect.objectContaining({ source: 'wiki/auth.md', heading: 'Authentication > Roles', id: expect.stringMatching(/^[0-9a-f]{16}$/), previousId: expect.stringMatching(/^[0-9a-f]{16}$/) })]);
    expect(last.removed.map((chunk) => `${chunk.source} > ${chunk.heading}`)).toEqual(['wiki/payments.md > Payments > Checkout']);

    // Nothing changed: same version, nothing embedded, no log entry.
    embedder.embedded.length = 0;
    const third = await store.refresh();
    expect(third).toMatchObject({ version: second.version, added: 0, modified: 0, removed: 0, unchanged: 8 });
    expect(embedder.embedded).toEqual([]);
    expect(await store.versions()).toHaveLength(2);
    // The removed chunk is no longer retrievable; the new one is.
    expect((await store.search('payment invoice checkout cart', 5)).map((chunk) => chunk.source)).not.toContain('wiki/payments.md');
    expect((await store.search('worker queue jobs', 1))[0]?.source).toBe('wiki/queues.md');
  });

  test('a new store on the same cache directory reuses every vector and continues the version sequence', async () => {
    const projectDir = await newProject();
    const firstEmbedder = countingEmbedder();
    const first = storeOn(projectDir, { embedder: firstEmbedder });
    const before = await first.store.refresh();
    await first.store.close();
    await writeFile(join(projectDir, 'wiki/queues.md'), '# Queues\n\nBackground jobs run on a worker queue with retry.\n');

    const secondEmbedder = countingEmbedder();
    const second = storeOn(projectDir, { embedder: secondEmbedder });
    const after = await second.store.refresh();
    expect(after).toMatchObject({ added: 1, modified: 0, removed: 0, unchanged: 8 });
    expect(after.version.startsWith('2-')).toBe(true);
    expect(before.version.startsWith('1-')).toBe(true);
    expect(secondEmbedder.embedded).toEqual(['Queues\n# Queues\n\nBackground jobs run on a worker queue with retry.']);
    expect(second.store.stats()).toMatchObject({ embeddingsComputed: 1, embeddingsReused: 5 });
  });
});

describe('the context cache', () => {
  test('a source change invalidates exactly the affected entries; rules changes invalidate all; hit rate in stats', async () => {
    const projectDir = await newProject();
    const { store } = storeOn(projectDir, { embedder: sharedEmbedder });
    const authTask = RANKING_CASES[0]!.task;
    const paymentsTask = RANKING_CASES[2]!.task;
    const ask = async () => ({
      auth: (await store.contextFor(authTask, { tokenBudget: 4000 })).isCacheHit,
      payments: (await store.contextFor(paymentsTask, { tokenBudget: 4000 })).isCacheHit,
    });
    expect(await ask()).toEqual({ auth: false, payments: false });
    expect(await ask()).toEqual({ auth: true, payments: true });

    // The payments chunk changes: only the task that used it recomputes.
    const payments = await readFile(join(projectDir, 'wiki/payments.md'), 'utf8');
    await writeFile(join(projectDir, 'wiki/payments.md'), payments.replace('in cents', 'in cents (never floats)'));
    await store.refresh();
    expect(await ask()).toEqual({ auth: true, payments: false });

    // A new chunk about login ranks into the auth task's candidates only.
    await writeFile(join(projectDir, 'wiki/login.md'), '# Login\n\nLogin with a password; the session token and the refresh token expire; the jwt is signed.\n');
    await store.refresh();
    expect(await ask()).toEqual({ auth: false, payments: true });
    expect((await store.contextFor(authTask, { tokenBudget: 4000 })).chunks.map((chunk) => chunk.source)).toContain('wiki/login.md');

    // Rules go to every task: changing one invalidates everything.
    await writeFile(join(projectDir, 'AGENTS.md'), '# Project rules\n\nUse TypeScript strict mode. Run pnpm test and pnpm lint before finishing.\n');
    await store.refresh();
    expect(await ask()).toEqual({ auth: false, payments: false });

    const stats = store.stats();
    // 11 lookups: 2 + 2 + 2 + 2 + 1 (the login check, a hit) + 2; hits: 2 + 1 + 1 + 1.
    expect(stats.cacheHits + stats.cacheMisses).toBe(11);
    expect(stats.cacheHits).toBe(5);
    expect(stats.cacheHitRate).toBeCloseTo(5 / 11, 10);
  });

  test('a cache hit gives the same context as computing it', async () => {
    const { store } = storeOn(await newProject(), { embedder: sharedEmbedder });
    const task = RANKING_CASES[1]!.task;
    const computed = await store.contextFor(task, { tokenBudget: 4000 });
    const cached = await store.contextFor(task, { tokenBudget: 4000 });
    expect(cached.isCacheHit).toBe(true);
    expect({ ...cached, isCacheHit: false }).toEqual(computed);
  });

  test('with the cache disabled every call computes and nothing is written', async () => {
    const projectDir = await newProject();
    const { store } = storeOn(projectDir, { embedder: sharedEmbedder, cache: { isEnabled: false } });
    await store.contextFor(RANKING_CASES[0]!.task, { tokenBudget: 4000 });
    expect((await store.contextFor(RANKING_CASES[0]!.task, { tokenBudget: 4000 })).isCacheHit).toBe(false);
    await store.close();
    expect(store.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 0, cacheHitRate: 0 });
    await expect(readFile(join(projectDir, '.qoder-orch/cache/context-cache.json'))).rejects.toThrow();
  });
});

describe('contextStoreOptionsFromConfig', () => {
  test('maps the semanticSearch and cache sections', () => {
    const config = {
      semanticSearch: { modelName: 'my/model', modelDir: 'models', allowRemote: false, similarityThreshold: 0.4, enabled: false, extraPaths: ['docs'] },
      cache: { enabled: false, maxSizeMb: 5, ttlSeconds: 60 },
    };
    expect(contextStoreOptionsFromConfig(config, '/repo')).toEqual({
      projectDir: '/repo',
      modelName: 'my/model',
      modelDir: '/repo/models',
      allowRemoteModels: false,
      isSemanticSearchEnabled: false,
      similarityThreshold: 0.4,
      extraPaths: ['docs'],
      cache: { isEnabled: false, maxSizeMb: 5, ttlSeconds: 60 },
    });
  });
});
