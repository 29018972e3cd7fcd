import { type EventEnvelope, redactJson, redactOutput } from '@qoder-orch/core';
import type { CliOutput } from '../cli/cli-io';

/**
 * `--json`: each event envelope as one JSON line, secrets hidden (every string redacted before
 * serialising, then the line checked once more). Nothing else goes to stdout.
 */
export function createJsonLinesWriter(output: CliOutput, secretValues: readonly string[] = []): (event: EventEnvelope) => void {
  return (event) => {
    output.write(`${redactOutput(JSON.stringify(redactJson(event, secretValues)), secretValues)}\n`);
  };
}
