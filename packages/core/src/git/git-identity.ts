/** Who our own commits (checkpoints, snapshots, task commits, merges) are attributed to. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** Used when no identity is given: never depends on the user's git configuration. */
export const DEFAULT_GIT_IDENTITY: GitIdentity = { name: 'qoder-orch', email: 'qoder-orch@localhost' };

/** The environment variables that set author and committer, so commits work with no `user.name` configured. */
export function identityEnvironment(identity: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}
