import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The shipped default prompts: `packages/spec/subagents/*.md`. */
export const BUILTIN_SUBAGENTS_DIRECTORY = fileURLToPath(new URL('../../subagents/', import.meta.url));
/** The generated module that inlines them, so the bundle needs no files at run time. */
export const BUILTIN_SUBAGENTS_MODULE = fileURLToPath(new URL('./builtin-subagent-files.ts', import.meta.url));

/** Reads the shipped `.md` files, sorted by name. */
export async function readBuiltinSubagentSources(): Promise<Array<{ fileName: string; text: string }>> {
  const names = (await readdir(BUILTIN_SUBAGENTS_DIRECTORY)).filter((name) => name.endsWith('.md')).sort();
  return Promise.all(names.map(async (fileName) => ({ fileName, text: await readFile(`${BUILTIN_SUBAGENTS_DIRECTORY}${fileName}`, 'utf8') })));
}

/** The text of `builtin-subagent-files.ts` for the given files. */
export function renderBuiltinSubagentsModule(files: ReadonlyArray<{ fileName: string; text: string }>): string {
  const entries = files.map(({ fileName, text }) => `  ${JSON.stringify(fileName)}: ${JSON.stringify(text)},`).join('\n');
  return [
    '// Generated from packages/spec/subagents/*.md by render-builtin-subagents.ts. Do not edit.',
    '// Regenerate: node --import tsx packages/spec/src/subagents/render-builtin-subagents.ts',
    '',
    '/** The shipped default subagent files, by file name. */',
    'export const BUILTIN_SUBAGENT_FILES: Readonly<Record<string, string>> = {',
    entries,
    '};',
    '',
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const text = renderBuiltinSubagentsModule(await readBuiltinSubagentSources());
  await writeFile(BUILTIN_SUBAGENTS_MODULE, text);
  process.stdout.write(`wrote ${BUILTIN_SUBAGENTS_MODULE}\n`);
}
