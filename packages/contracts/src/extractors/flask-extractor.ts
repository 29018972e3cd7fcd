import { extractPythonRoutes } from '../python-routes';
import type { RouteExtractor } from '../route-extractor';

/** Flask: `@app.route("/x", methods=[...])`, `@bp.get("/x")`, `Blueprint(url_prefix=...)`, `register_blueprint(bp, url_prefix=...)`. */
export const flaskExtractor: RouteExtractor = {
  name: 'flask',
  side: 'backend',
  matches: (file) => file.endsWith('.py'),
  extract(_file, text) {
    if (!/\bflask\b/.test(text)) return [];
    return extractPythonRoutes(text);
  },
};
