import { afterEach, describe, expect, it } from 'vitest';
import { type Checkpoint, RollbackManager, type RollbackEvent, type RollbackWarning } from '../index';
import { createTemporaryRepository, type TemporaryRepository } from './testing/temporary-repository';

let repositories: TemporaryRepository[] = [];
afterEach(async () => {
  await Promise.all(repositories.map((repository) => repository.cleanup()));
  repositories = [];
});

async function repository(files: Record<string, string>): Promise<TemporaryRepository> {
  const created = await createTemporaryRepository(files);
  repositories.push(created);
  return created;
}

describe('RollbackManager events', () => {
  it('emits checkpoint and rollback with the restored paths and the kept work', async () => {
    const repo = await repository({ 'src/a.ts': 'one\n', 'src/b.ts': 'two\n' });
    const manager = new RollbackManager({ projectDir: repo.root });
    const checkpoints: Checkpoint[] = [];
    const rollbacks: RollbackEvent[] = [];
    manager.on('checkpoint', (checkpoint) => checkpoints.push(checkpoint));
    manager.on('rollback', (rollback) => rollbacks.push(rollback));

    const taken = await manager.checkpoint('run-e', 'task-1');
    expect(checkpoints).toEqual([taken]);
    await repo.write('src/a.ts', 'changed by the task\n');
    await repo.write('src/new.ts', 'created by the task\n');
    const result = await manager.rollback('run-e', 'task-1');

    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ stateCommit: taken.commit, runId: 'run-e', taskId: 'task-1', leftoverRef: result.leftoverRef });
    expect([...(rollbacks[0]?.restoredPaths ?? [])].sort()).toEqual(['src/a.ts', 'src/new.ts']);
    expect(await repo.git(['show', `${result.leftoverRef}:src/a.ts`])).toBe('changed by the task\n');
    // Nothing to restore: no rollback event.
    await manager.rollback('run-e', 'task-1');
    expect(rollbacks).toHaveLength(1);
  });

  it('warns when set-aside work conflicts with what the run committed', async () => {
    const repo = await repository({ 'src/a.ts': 'original\n' });
    const manager = new RollbackManager({ projectDir: repo.root });
    const warnings: RollbackWarning[] = [];
    manager.on('warning', (warning) => warnings.push(warning));
    await repo.write('src/a.ts', 'user version\n');
    await manager.setAsideUserWork('run-w');
    await repo.write('src/a.ts', 'run version\n');
    await repo.commitAll('run work');

    await manager.restoreUserWork('run-w');
    expect(warnings).toEqual([{ code: 'USER_WORK_CONFLICT', ref: 'refs/qoder-orch/snapshots/run-w', message: expect.stringContaining('src/a.ts') }]);
  });

  it('finishes a rollback when a listener throws', async () => {
    const repo = await repository({ 'a.txt': 'before\n' });
    const manager = new RollbackManager({ projectDir: repo.root });
    manager.on('rollback', () => {
      throw new Error('listener failed');
    });
    await manager.checkpoint('run-t', 'task');
    await repo.write('a.txt', 'after\n');
    await expect(manager.rollback('run-t', 'task')).resolves.toMatchObject({ restoredPaths: ['a.txt'] });
    expect((await repo.read('a.txt')).toString()).toBe('before\n');
  });
});
