import type { SecretRedactor } from '@qoder-orch/spec';
import type { RunStore } from './run-store';

/**
 * A run store that redacts secret values from everything written through it (state, events,
 * state changes, plan, transcripts, logs, reports) before the store underneath serialises it: the last guard
 * in front of the files of a run. Reads pass through.
 */
export function redactingRunStore(store: RunStore, redactor: SecretRedactor): RunStore {
  return {
    createRun: (state) => store.createRun(redactor.value(state)),
    appendEvent: (runId, event) => store.appendEvent(runId, redactor.value(event)),
    writeState: (state) => store.writeState(redactor.value(state)),
    // Only for a store that takes changes: the run gives the others the whole state.
    ...(store.appendStateChange ? { appendStateChange: (change) => store.appendStateChange!(redactor.value(change)) } : {}),
    readState: (runId) => store.readState(runId),
    readEvents: (runId) => store.readEvents(runId),
    writePlan: (runId, plan) => store.writePlan(runId, redactor.value(plan)),
    listRuns: () => store.listRuns(),
    writeArtifact: (runId, name, content) => store.writeArtifact(runId, name, typeof content === 'string' ? redactor.text(content) : redactBytes(content, redactor)),
    appendArtifact: (runId, name, content) => store.appendArtifact(runId, name, redactor.text(content)),
    readArtifact: (runId, name) => store.readArtifact(runId, name),
    flush: () => store.flush(),
  };
}

/** Bytes that are UTF-8 text are redacted as text; other bytes (images) are kept. */
function redactBytes(content: Uint8Array, redactor: SecretRedactor): Uint8Array {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return content;
  }
  const redacted = redactor.text(text);
  return redacted === text ? content : new TextEncoder().encode(redacted);
}
