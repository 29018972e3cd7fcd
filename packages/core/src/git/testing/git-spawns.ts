import { type GitSpawn, observeGitSpawns } from '../git-client';

/** Runs `body` and answers the git processes it started, in order. For tests. */
export async function gitSpawnsOf(body: () => Promise<unknown>): Promise<GitSpawn[]> {
  const spawns: GitSpawn[] = [];
  const stop = observeGitSpawns((spawn) => spawns.push(spawn));
  try {
    await body();
  } finally {
    stop();
  }
  return spawns;
}
