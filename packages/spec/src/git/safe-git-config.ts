import { devNull } from 'node:os';

/**
 * Options that keep our commands free of configuration that would change their meaning or run
 * programs: the repository's configuration and hooks are writable by every agent working in it,
 * so our own git never runs a hook (`core.hooksPath` points nowhere: git finds no hook file
 * there) nor a file-system monitor. Filter and merge drivers are configuration too: the
 * repository guard restores the configuration after every task, before git touches its files.
 */
export const SAFE_GIT_CONFIG: readonly string[] = ['commit.gpgSign=false', 'tag.gpgSign=false', 'core.quotePath=false', 'advice.detachedHead=false', `core.hooksPath=${devNull}`, 'core.fsmonitor=false'];

/** simple-git refuses these settings unless told they are meant: here they switch things off. */
export const SAFE_GIT_UNSAFE_OPTIONS = { allowUnsafeHooksPath: true, allowUnsafeFsMonitor: true } as const;
