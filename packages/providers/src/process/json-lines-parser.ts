import type { z } from 'zod';
import type { AgentEvent } from '@qoder-orch/spec';

/** How many non-JSON lines (warnings, crashes) a parser keeps, the latest. */
const MAX_OTHER_LINES = 50;
/** Tool output in events is clipped to this many characters. */
const MAX_EVENT_OUTPUT = 4_000;

/** Options of every event parser. */
export interface EventParserOptions {
  /** Called for every agent event parsed from the stream. */
  onEvent?: ((event: AgentEvent) => void) | undefined;
  /** Applied to every text that leaves the parser (secret redaction). */
  redact?: ((text: string) => string) | undefined;
}

/** Tool output as events carry it: at most 4,000 characters, then `…`. */
export function clipEventOutput(text: string): string {
  return text.length > MAX_EVENT_OUTPUT ? `${text.slice(0, MAX_EVENT_OUTPUT)}…` : text;
}

/** Keeps a line that was not JSON; only the latest 50 stay. */
export function keepOtherLine(otherLines: string[], line: string): void {
  otherLines.push(line);
  if (otherLines.length > MAX_OTHER_LINES) otherLines.shift();
}

/**
 * One line of JSON-lines output: `{ value }` when it is JSON; `undefined` when it is blank, or
 * when it is not JSON (then it is kept in `otherLines`, trimmed).
 */
export function parseJsonLine(line: string, otherLines: string[]): { value: unknown; trimmed: string } | undefined {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  try {
    return { value: JSON.parse(trimmed) as unknown, trimmed };
  } catch {
    keepOtherLine(otherLines, trimmed);
    return undefined;
  }
}

/** An event listener whose failures are swallowed: a listener must not break the run. */
export function safeListener(onEvent: ((event: AgentEvent) => void) | undefined): (event: AgentEvent) => void {
  if (!onEvent) return () => {};
  return (event) => {
    try {
      onEvent(event);
    } catch {
      // A listener's failure must not break the run.
    }
  };
}

/**
 * The plumbing of a CLI's JSON-lines event parser: lines are parsed and validated against
 * `schema` (invalid events are ignored, non-JSON lines kept in the summary's `otherLines`), and
 * each event goes to `handle`. Subclasses fill the summary and emit agent events.
 */
export abstract class JsonLinesEventParser<Event, Summary extends { otherLines: string[] }> {
  protected readonly emit: (event: AgentEvent) => void;
  protected readonly redact: (text: string) => string;
  /** Ids of tool calls that started and have not finished. */
  protected readonly pending = new Set<string>();
  protected readonly state: Summary;
  readonly #schema: z.ZodType<Event>;

  protected constructor(schema: z.ZodType<Event>, initial: Summary, options: EventParserOptions) {
    this.#schema = schema;
    this.state = initial;
    this.emit = safeListener(options.onEvent);
    this.redact = options.redact ?? ((text) => text);
  }

  /** What the stream said so far. */
  summary(): Summary {
    return this.state;
  }

  /** Whether a tool call started and has not finished: the CLI is running it, silently. */
  hasPendingToolCalls(): boolean {
    return this.pending.size > 0;
  }

  /** Feeds one line of output. */
  push(line: string): void {
    const json = parseJsonLine(line, this.state.otherLines);
    if (!json) return;
    const parsed = this.#schema.safeParse(json.value);
    if (parsed.success) this.handle(parsed.data);
  }

  /** Handles one validated event. */
  protected abstract handle(event: Event): void;
}
