import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGit } from '../git/run-git';
import type { WorkerProcessSettings } from './worker-settings';

/** The monorepo root (tsx resolves the workspace packages to their sources through its tsconfig). */
export const MONOREPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A project repository on `main` with one commit and a bare repository as its `origin`. */
export async function createProjectWithRemote(files: Record<string, string>): Promise<{ root: string; projectDir: string; remote: string; git: (args: string[], cwd?: string) => Promise<string>; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'qoder-orch-distributed-'));
  const projectDir = join(root, 'project');
  const remote = join(root, 'remote.git');
  const git = async (args: string[], cwd = projectDir) => (await runGit(args, { cwd })).stdout;
  await runGit(['init', '--bare', '--quiet', remote], { cwd: root });
  await runGit(['init', '--quiet', '-b', 'main', projectDir], { cwd: root });
  for (const [path, content] of Object.entries(files)) await writeFile(join(projectDir, path), content);
  await git(['config', 'user.name', 'Test']);
  await git(['config', 'user.email', 'test@example.invalid']);
  await git(['add', '-A']);
  await git(['commit', '--quiet', '-m', 'initial']);
  await git(['remote', 'add', 'origin', remote]);
  return { root, projectDir, remote, git, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every JSON line the worker printed so far. */
  readonly lines: Array<{ type: string; jobId?: string; taskId?: string; isOk?: boolean }>;
  /** Resolves with the first line matching. */
  waitFor(match: (line: { type: string; jobId?: string; taskId?: string }) => boolean, timeoutMs?: number): Promise<{ type: string; jobId?: string; taskId?: string }>;
  stop(): Promise<void>;
}

/** A worker in its own process (test/worker-main.ts), standing in for another machine. */
export async function startWorkerProcess(settings: WorkerProcessSettings): Promise<WorkerProcess> {
  const script = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(settings)], { cwd: MONOREPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  const lines: WorkerProcess['lines'] = [];
  const waiters: Array<{ match: (line: WorkerProcess['lines'][number]) => boolean; resolve: (line: WorkerProcess['lines'][number]) => void }> = [];
  let buffer = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      try {
        const line = JSON.parse(text) as WorkerProcess['lines'][number];
        lines.push(line);
        for (const waiter of waiters.filter((candidate) => candidate.match(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      } catch {
        // not one of ours
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitFor: WorkerProcess['waitFor'] = (match, timeoutMs = 30_000) => {
    const found = lines.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${settings.name}: no such line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
      waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(() => reject(new Error(`worker ${settings.name} exited (${child.exitCode ?? child.signalCode}); stderr: ${stderr}`)));
    });
  };
  await waitFor((line) => line.type === 'ready', 90_000);
  return {
    name: settings.name,
    child,
    lines,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
