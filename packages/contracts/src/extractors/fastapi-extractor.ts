import { extractPythonRoutes } from '../python-routes';
import type { RouteExtractor } from '../route-extractor';

/** FastAPI: `@app.get("/x")`, `APIRouter(prefix=...)`, `app.include_router(router, prefix=...)`. */
export const fastapiExtractor: RouteExtractor = {
  name: 'fastapi',
  side: 'backend',
  matches: (file) => file.endsWith('.py'),
  extract(_file, text) {
    if (!/\bfastapi\b/.test(text)) return [];
    return extractPythonRoutes(text);
  },
};
