import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LLMProviderV1 } from '@qoder-orch/core';
import { createClaudeCli } from '@qoder-orch/providers';
import { createFakeAnthropicServer } from '@qoder-orch/providers/test';
import type { CommonOptions } from '../args/parse-arguments';
import type { CliIo } from '../cli/cli-io';
import { EXIT_CODES, type ExitCode } from '../cli/exit-codes';
import { printError } from '../cli/print-error';
import { findUpwards } from '../demo/find-upwards';
import { prepareDemoProject } from '../demo/prepare-demo-project';
import { createDemoModel } from '../demo/scripted-model';
import { DEMO_OBJECTIVE } from '../demo/todo-app-script';
import { executeRun, styleFor } from '../run/run-command';

/** The Claude Code provider pointed at the fake server, using the pinned `claude` of this repository. */
function demoProvider(env: Record<string, string>): LLMProviderV1 {
  const executable = findUpwards(dirname(fileURLToPath(import.meta.url)), join('node_modules', '.bin', 'claude'));
  return createClaudeCli({ env, isolateConfig: true, maxRetries: 0, ...(executable ? { executable } : {}) });
}

/**
 * `qoder-orchestrate demo`: the whole pipeline, offline, on a copy of examples/todo-app, with
 * the real Claude Code CLI talking to a local fake Anthropic API whose answers are scripted.
 */
export async function demoCommand(options: CommonOptions, io: CliIo): Promise<ExitCode> {
  const style = styleFor(io, options);
  const human = options.isJson ? io.stderr : io.stdout;
  human.write(
    [
      style.bold('qoder-orchestrate demo'),
      `The objective: "${DEMO_OBJECTIVE}"`,
      `The model's answers are ${style.bold('scripted')}: a fake Anthropic API on 127.0.0.1 replays the plan, each task's edits and the judge's`,
      'reading of the evidence. Everything else is real: the Claude Code CLI processes, git, the edits, the commits, the tests and the checks.',
      '',
    ].join('\n'),
  );
  let server: Awaited<ReturnType<typeof createFakeAnthropicServer>> | undefined;
  try {
    server = await createFakeAnthropicServer({ handler: createDemoModel() });
    const provider = demoProvider(server.env);
    const projectDir = await prepareDemoProject();
    human.write(`Sample project copied to ${projectDir} (a fresh git repository).\n`);
    const exitCode = await executeRun({ kind: 'run', objective: DEMO_OBJECTIVE }, options, io, {
      provider,
      projectDir,
      overrides: { llm: { provider: 'claude' }, semanticSearch: { allowRemote: false } },
      secretValues: [server.env['ANTHROPIC_API_KEY'] ?? ''],
      cancelHint: 'The demo cannot be resumed (its scripted model server is gone with it); run `qoder-orchestrate demo` again.',
    });
    human.write(
      [
        '',
        style.bold('That was a scripted model.') + ` ${server.requests.length} model requests were answered from packages/cli/src/demo/todo-app-script.ts.`,
        `The project is kept at ${projectDir}: look at \`git log\` there, or run \`node --test test/\`.`,
        'To run against a real account:',
        '  Claude Code:  export ANTHROPIC_API_KEY=…   (or `claude /login`), then',
        '                qoder-orchestrate "<objective>" --llm-provider claude --project-dir <your repository>',
        '  Qoder:        export QODER_PERSONAL_ACCESS_TOKEN=…, then',
        '                qoder-orchestrate "<objective>" --llm-provider qoder --project-dir <your repository>',
        '',
      ].join('\n'),
    );
    return exitCode;
  } catch (error) {
    printError(io.stderr, error, style);
    return EXIT_CODES.failed;
  } finally {
    await server?.close();
  }
}
