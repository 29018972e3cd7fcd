import { extractClientCalls } from '../client-calls';
import type { RouteExtractor } from '../route-extractor';
import { importsModule } from '../module-bindings';
import { RELATIVE_IMPORT, isFrontendFile } from './script-files';

/** Frontend calls with ky: `ky.get(url)`, `ky(url, { method })`, `ky.create({ prefixUrl })` instances, imported instances. */
export const kyExtractor: RouteExtractor = {
  name: 'ky',
  side: 'frontend',
  matches: isFrontendFile,
  // Files that import the library, or anything relative: calls on an instance imported from
  // another file do not name the library.
  extract: (file, text) => (importsModule(text, 'ky') || RELATIVE_IMPORT.test(text) ? extractClientCalls(file, text, 'ky') : []),
};
