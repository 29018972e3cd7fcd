import { extractClientCalls } from '../client-calls';
import type { RouteExtractor } from '../route-extractor';
import { importsModule } from '../module-bindings';
import { RELATIVE_IMPORT, isFrontendFile } from './script-files';

/** Frontend calls with axios: `axios.get(url)`, `axios({ url, method })`, `axios.create({ baseURL })` instances, imported instances. */
export const axiosExtractor: RouteExtractor = {
  name: 'axios',
  side: 'frontend',
  matches: isFrontendFile,
  // Files that import the library, or anything relative: calls on an instance imported from
  // another file do not name the library.
  extract: (file, text) => (importsModule(text, 'axios') || RELATIVE_IMPORT.test(text) ? extractClientCalls(file, text, 'axios') : []),
};
