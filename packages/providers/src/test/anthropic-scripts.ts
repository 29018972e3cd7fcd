import type { FakeAnthropicRequest } from './anthropic-request';
import { type FakeAnthropicReply, reply } from './anthropic-replies';

/** What a handler may return: a reply, a plain string (a text reply), or nothing (a short default text). */
export type FakeAnthropicHandlerResult = FakeAnthropicReply | string | undefined;

/** Decides the reply to one request. */
export type FakeAnthropicHandler = (request: FakeAnthropicRequest) => FakeAnthropicHandlerResult | Promise<FakeAnthropicHandlerResult>;

/**
 * Plays `replies` in order within each conversation, by its turn index (the number of assistant
 * turns already in the request), so a retried request gets the same reply again. After the last
 * one it answers `after` (default: the text `Done.`).
 */
export function sequence(replies: readonly FakeAnthropicHandlerResult[], after: FakeAnthropicHandlerResult = 'Done.'): FakeAnthropicHandler {
  return (request) => (request.turnIndex < replies.length ? replies[request.turnIndex] : after);
}

/** One route: when `match` is found in the request's system text or prompt, `handle` answers. */
export interface FakeRoute {
  /** A substring or pattern looked for in `system + "\n" + prompt`. */
  match: string | RegExp | ((request: FakeAnthropicRequest) => boolean);
  /** A handler, or replies played in order per conversation (see `sequence`). */
  handle: FakeAnthropicHandler | readonly FakeAnthropicHandlerResult[];
}

/** Routes requests by what their prompt or system text says; the first matching route answers. */
export function routeByText(routes: readonly FakeRoute[], fallback: FakeAnthropicHandler = () => undefined): FakeAnthropicHandler {
  const handlers = routes.map((route) => ({
    match: route.match,
    handle: typeof route.handle === 'function' ? route.handle : sequence(route.handle),
  }));
  return (request) => {
    const haystack = `${request.system}\n${request.prompt}`;
    for (const route of handlers) {
      const isMatch = typeof route.match === 'string' ? haystack.includes(route.match) : route.match instanceof RegExp ? route.match.test(haystack) : route.match(request);
      if (isMatch) return route.handle(request);
    }
    return fallback(request);
  };
}

/**
 * Fails the first `failures` requests it sees with `failure` (default a 500), then hands every
 * later request to `then`. Counts over the whole server (the CLI's retries are new requests).
 */
export function flaky(failures: number, then: FakeAnthropicHandler, failure: FakeAnthropicReply = reply.serverError()): FakeAnthropicHandler {
  let failed = 0;
  return (request) => {
    if (failed < failures) {
      failed += 1;
      return failure;
    }
    return then(request);
  };
}

/** Always answers with the same reply. */
export function always(result: FakeAnthropicHandlerResult): FakeAnthropicHandler {
  return () => result;
}
