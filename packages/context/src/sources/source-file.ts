import type { ContextChunk } from '@qoder-orch/spec';

/** Which convention a file belongs to. */
/** `project`: the repository's own documentation (README, `docs/`), found without configuration. */
export type SourceOrigin = 'qoder' | 'claude' | 'seed' | 'project' | 'extra';

/** One file the store reads, relative to the project with forward slashes. */
export interface SourceFile {
  path: string;
  kind: ContextChunk['kind'];
  origin: SourceOrigin;
}

/** An extra path from options: a file or folder, read as `kind`. @default kind 'other' */
export type ExtraPath = string | { path: string; kind?: ContextChunk['kind'] };
