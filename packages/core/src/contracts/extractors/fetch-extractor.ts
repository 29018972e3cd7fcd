import { extractClientCalls } from '../client-calls';
import type { RouteExtractor } from '../route-extractor';
import { isFrontendFile } from './script-files';

/** Frontend calls with `fetch(url, { method })` (also `window.fetch`). */
export const fetchExtractor: RouteExtractor = {
  name: 'fetch',
  side: 'frontend',
  matches: isFrontendFile,
  extract: (file, text) => (/\bfetch\b/.test(text) ? extractClientCalls(file, text, 'fetch') : []),
};
