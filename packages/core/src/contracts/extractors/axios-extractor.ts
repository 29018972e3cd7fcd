import { extractClientCalls } from '../client-calls';
import type { RouteExtractor } from '../route-extractor';
import { isScriptFile } from './script-files';

/** Frontend calls with axios: `axios.get(url)`, `axios({ url, method })`, `axios.create({ baseURL })` instances, imported instances. */
export const axiosExtractor: RouteExtractor = {
  name: 'axios',
  side: 'frontend',
  matches: isScriptFile,
  // Always read: calls on an instance imported from another file do not name the library.
  extract: (file, text) => extractClientCalls(file, text, 'axios'),
};
