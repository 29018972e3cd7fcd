import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestratorError } from '@qoder-orch/spec';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ContextStore, createTransformersEmbedder, TRANSFORMERS_PACKAGE } from '../index';
import type { ContextStoreEvents } from '../index';
import { RANKING_CASES, writeProject } from './__fixtures__/sample-project';

let root: string;
let projectCount = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qo-context-events-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function newProject(): Promise<string> {
  projectCount += 1;
  const projectDir = join(root, `project-${projectCount}`);
  await writeProject(projectDir);
  return projectDir;
}

type Recorded = { [K in keyof ContextStoreEvents]: { name: K; payload: ContextStoreEvents[K][0] } }[keyof ContextStoreEvents];

/** Every event the store emits, in order. */
function record(store: ContextStore): Recorded[] {
  const events: Recorded[] = [];
  store.on('refresh-start', (payload) => events.push({ name: 'refresh-start', payload }));
  store.on('refresh-finish', (payload) => events.push({ name: 'refresh-finish', payload }));
  store.on('search', (payload) => events.push({ name: 'search', payload }));
  store.on('warning', (payload) => events.push({ name: 'warning', payload }));
  return events;
}

/** A module name no package has: importing it fails exactly as a missing install does. */
const MISSING_RUNTIME = '@qoder-orch/no-such-model-runtime';

describe('ContextStore events', () => {
  test('a refresh, a search and a task lookup emit what happened, in order', async () => {
    const projectDir = await newProject();
    const store = new ContextStore({ projectDir, isSemanticSearchEnabled: false });
    const events = record(store);
    const refreshed = await store.refresh();
    expect(events.map((event) => event.name)).toEqual(['refresh-start', 'warning', 'refresh-finish']);
    expect(events[0]).toEqual({ name: 'refresh-start', payload: { projectDir } });
    expect(events[1]).toMatchObject({ name: 'warning', payload: { code: 'SUBAGENT_INVALID' } });
    expect(events[2]).toEqual({ name: 'refresh-finish', payload: { result: refreshed, stats: store.stats() } });
    expect(refreshed).toMatchObject({ ranking: 'lexical', added: expect.any(Number) });

    events.length = 0;
    const [best] = await store.search('jwt session token login', 3);
    expect(best?.source).toBe('wiki/auth.md');
    const { task } = RANKING_CASES[0]!;
    await store.contextFor(task, { tokenBudget: 4000 });
    await store.contextFor(task, { tokenBudget: 4000 }); // a cache hit ranks nothing
    expect(events).toEqual([
      { name: 'search', payload: { query: 'jwt session token login', k: 3, ranking: 'lexical', matches: expect.any(Number), durationMs: expect.any(Number) } },
      { name: 'search', payload: expect.objectContaining({ k: 24, ranking: 'lexical' }) },
    ]);
    expect(store.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
    await store.close();
  });

  test('without @huggingface/transformers: the BM25 fallback and one warning naming the package to install', async () => {
    const projectDir = await newProject();
    const embedder = createTransformersEmbedder({ runtimeModule: MISSING_RUNTIME, allowRemoteModels: false });
    const store = new ContextStore({ projectDir, embedder });
    const events = record(store);
    const refreshed = await store.refresh();
    expect(refreshed.ranking).toBe('lexical');
    for (const { task, expectedSource } of RANKING_CASES) {
      const context = await store.contextFor(task, { tokenBudget: 4000 });
      expect(context.chunks.find((chunk) => chunk.kind !== 'rule' && chunk.kind !== 'memory')?.source).toBe(expectedSource);
    }
    await store.refresh();
    const warnings = events.flatMap((event) => (event.name === 'warning' && event.payload.code === 'EMBEDDING_UNAVAILABLE' ? [event.payload] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`npm install ${MISSING_RUNTIME}`);
    expect(warnings[0]?.message).toContain('BM25');
    expect(store.stats().ranking).toBe('lexical');
    await store.close();
  });

  test('the embedder itself rejects with NOT_INSTALLED and the install command when the runtime is missing', async () => {
    const embedder = createTransformersEmbedder({ runtimeModule: MISSING_RUNTIME });
    const failure = await embedder.load?.().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(OrchestratorError.isInstance(failure) && failure.code).toBe('NOT_INSTALLED');
    expect((failure as OrchestratorError).fix).toBe(`npm install ${MISSING_RUNTIME}`);
    expect(TRANSFORMERS_PACKAGE).toBe('@huggingface/transformers');
  });
});
