import type { EventEnvelope } from '@qoder-orch/core';
import type { CliOutput } from '../cli/cli-io';

/** `--json`: each event envelope as one JSON line, secrets hidden. Nothing else goes to stdout. */
export function createJsonLinesWriter(output: CliOutput, secretValues: readonly string[] = []): (event: EventEnvelope) => void {
  const replacements = secretValues.filter(Boolean).map((value) => JSON.stringify(value).slice(1, -1));
  return (event) => {
    let line = JSON.stringify(event);
    for (const value of replacements) line = line.split(value).join('[REDACTED]');
    output.write(`${line}\n`);
  };
}
