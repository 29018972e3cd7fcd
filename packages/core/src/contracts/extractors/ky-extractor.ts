import { extractClientCalls } from '../client-calls';
import type { RouteExtractor } from '../route-extractor';
import { isScriptFile } from './script-files';

/** Frontend calls with ky: `ky.get(url)`, `ky(url, { method })`, `ky.create({ prefixUrl })` instances, imported instances. */
export const kyExtractor: RouteExtractor = {
  name: 'ky',
  side: 'frontend',
  matches: isScriptFile,
  // Always read: calls on an instance imported from another file do not name the library.
  extract: (file, text) => extractClientCalls(file, text, 'ky'),
};
