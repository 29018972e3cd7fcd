import { extractClientCalls } from '../client-calls';
import type { RouteExtractor } from '../route-extractor';
import { RELATIVE_IMPORT, isFrontendFile } from './script-files';

/** Frontend calls with `fetch(url, { method })` (also `window.fetch`), through fetch wrappers, and SWR keys. */
export const fetchExtractor: RouteExtractor = {
  name: 'fetch',
  side: 'frontend',
  matches: isFrontendFile,
  // Files that call fetch, or import something: a wrapper imported from another file hides the word.
  extract: (file, text) => (/\bfetch\b|['"]swr['"]/.test(text) || RELATIVE_IMPORT.test(text) ? extractClientCalls(file, text, 'fetch') : []),
};
