import type { ExtractedRoute, RouteExtraction, RouteImport, RouteMount } from './route-extractor';
import { normaliseMethod } from './route-path';

interface Statement {
  text: string;
  line: number;
}

/** Joins Python lines into statements (open brackets continue a line), dropping comments. */
export function pythonStatements(text: string): Statement[] {
  const statements: Statement[] = [];
  let current = '';
  let startLine = 0;
  let depth = 0;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index] ?? '';
    const line = stripComment(raw);
    if (depth === 0) {
      current = line;
      startLine = index + 1;
    } else current += ` ${line.trim()}`;
    depth += bracketBalance(line);
    if (depth < 0) depth = 0;
    if (depth === 0 && !line.trimEnd().endsWith('\\')) statements.push({ text: current.trim(), line: startLine });
  }
  return statements;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (quote) {
      if (character === '\\') index += 1;
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") quote = character;
    else if (character === '#') return line.slice(0, index);
  }
  return line;
}

function bracketBalance(line: string): number {
  let balance = 0;
  let quote: string | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const character = line[index];
    if (quote) {
      if (character === '\\') index += 1;
      else if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") quote = character;
    else if (character === '(' || character === '[' || character === '{') balance += 1;
    else if (character === ')' || character === ']' || character === '}') balance -= 1;
  }
  return balance;
}

const STRING = String.raw`[rRbBuUfF]{0,2}(?:"([^"]*)"|'([^']*)')`;

/** The first positional string argument of a call's argument text. */
function firstString(args: string): string | undefined {
  const match = new RegExp(`^\\s*${STRING}`).exec(args);
  return match ? (match[1] ?? match[2]) : undefined;
}

function keywordString(args: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*${STRING}`).exec(args);
  return match ? (match[1] ?? match[2]) : undefined;
}

/** A keyword argument's value: its text when a literal, `/{NAME*}` when computed (`settings.API_V1_STR`). */
function keywordPrefix(args: string, name: string, constants: Record<string, string> = {}): string | undefined {
  const literal = keywordString(args, name);
  if (literal !== undefined) return literal;
  const match = new RegExp(`\\b${name}\\s*=\\s*([A-Za-z_][\\w.]*)`).exec(args);
  if (!match) return undefined;
  // `prefix=API_PREFIX` with `API_PREFIX = "/api/v1"` in this module.
  const known = constants[match[1] ?? ''];
  if (known !== undefined) return known;
  const identifier = (match[1] ?? '').split('.').pop() ?? '';
  return identifier === 'None' ? undefined : `/{${identifier}*}`;
}

function keywordList(args: string, name: string): string[] | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*[\\[(]([^\\])]*)[\\])]`).exec(args);
  if (!match) return undefined;
  return Array.from((match[1] ?? '').matchAll(/["']([A-Za-z]+)["']/g), (item) => normaliseMethod(item[1] ?? ''));
}

/** The argument text of `name(...)` at the start of `text` (after `name(`), without the closing bracket. */
function argumentsAfter(text: string, open: number): string {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    const character = text[index];
    if (character === '(') depth += 1;
    else if (character === ')') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, index);
    }
  }
  return text.slice(open + 1);
}

const DECORATOR_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

/**
 * FastAPI and Flask routes by a small line-based parser: `@app.get("/x")`, `APIRouter(prefix=)`,
 * `include_router(r, prefix=)`, `@bp.route("/x", methods=[...])`, `Blueprint(url_prefix=)`,
 * `register_blueprint(bp, url_prefix=)`, `add_url_rule`. Imports feed cross-file mounts.
 */
export function extractPythonRoutes(text: string): RouteExtraction {
  const routes: ExtractedRoute[] = [];
  const mounts: RouteMount[] = [];
  const imports: RouteImport[] = [];
  const ownerPrefixes: Record<string, string> = {};
  const exportedOwners: string[] = [];
  const mountedOwners: string[] = [];
  const rootOwners: string[] = [];
  const unresolved: Array<{ line: number; reason: string }> = [];
  const importedModules = new Map<string, string>();
  const constants: Record<string, string> = {};
  for (const match of text.matchAll(/^([A-Za-z_]\w*)\s*(?::\s*[\w.[\]]+\s*)?=\s*[rRuU]?(?:"([^"\n]*)"|'([^'\n]*)')\s*$/gm)) constants[match[1] ?? ''] = match[2] ?? match[3] ?? '';
  const prefixOf = (args: string, name: string, line: number): string | undefined => {
    const prefix = keywordPrefix(args, name, constants);
    if (prefix !== undefined && /^\/\{\w+\*\}$/.test(prefix))
      unresolved.push({ line, reason: `cannot compute the prefix \`${/=\s*([\w.]+)/.exec(args.slice(args.indexOf(name)))?.[1] ?? name}\`: routes under it are matched by their ending` });
    return prefix;
  };

  for (const { text: statement, line } of pythonStatements(text)) {
    let match: RegExpExecArray | null;
    // from .routers import users, items as things / from .routers.users import router as users_router
    if ((match = /^from\s+([.\w]+)\s+import\s+\(?([^)]*)\)?$/.exec(statement))) {
      const module = match[1] ?? '';
      for (const part of (match[2] ?? '').split(',')) {
        const names = /^\s*(\w+)(?:\s+as\s+(\w+))?\s*$/.exec(part);
        if (!names) continue;
        const imported = names[1] ?? '';
        const local = names[2] ?? imported;
        const joined = module.endsWith('.') ? `${module}${imported}` : `${module}.${imported}`;
        // Either a submodule (`users`) or a name in the module (`router`); both are tried.
        importedModules.set(local, joined);
        imports.push({ owner: local, module, exportName: imported });
      }
      continue;
    }
    if ((match = /^import\s+([.\w]+)(?:\s+as\s+(\w+))?$/.exec(statement))) {
      const module = match[1] ?? '';
      importedModules.set(match[2] ?? module, module);
      continue;
    }
    // router = APIRouter(prefix="/users") / bp = Blueprint("users", __name__, url_prefix="/users")
    if ((match = /^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:[\w.]+\.)?(FastAPI|APIRouter|Flask|Blueprint)\s*\(/.exec(statement))) {
      const owner = match[1] ?? '';
      const args = argumentsAfter(statement, statement.indexOf('(', match.index + owner.length));
      const prefix = match[2] === 'FastAPI' || match[2] === 'Flask' ? undefined : prefixOf(args, match[2] === 'Blueprint' ? 'url_prefix' : 'prefix', line);
      if (prefix !== undefined) ownerPrefixes[owner] = prefix;
      exportedOwners.push(owner);
      // Routers and blueprints serve only once included; applications serve at the root.
      (match[2] === 'APIRouter' || match[2] === 'Blueprint' ? mountedOwners : rootOwners).push(owner);
      continue;
    }
    // @app.get("/x") / @router.api_route("/x", methods=[...]) / @bp.route("/x", methods=[...])
    if ((match = /^@(\w+)\.(\w+)\s*\(/.exec(statement))) {
      const owner = match[1] ?? '';
      const decorator = match[2] ?? '';
      const args = argumentsAfter(statement, statement.indexOf('('));
      const path = firstString(args) ?? keywordString(args, 'path') ?? keywordString(args, 'rule');
      if (path === undefined) continue;
      if (DECORATOR_METHODS.includes(decorator)) routes.push({ method: normaliseMethod(decorator), path, line, owner });
      else if (decorator === 'api_route' || decorator === 'route') {
        // Both frameworks default to GET when `methods` is absent.
        for (const method of keywordList(args, 'methods') ?? ['GET']) routes.push({ method, path, line, owner });
      }
      continue;
    }
    // app.add_url_rule("/x", view_func=..., methods=[...])
    if ((match = /^(\w+)\.add_url_rule\s*\(/.exec(statement))) {
      const args = argumentsAfter(statement, statement.indexOf('('));
      const path = firstString(args);
      if (path !== undefined) for (const method of keywordList(args, 'methods') ?? ['GET']) routes.push({ method, path, line, owner: match[1] ?? '' });
      continue;
    }
    // app.include_router(users.router, prefix="/api") / app.register_blueprint(bp, url_prefix="/api")
    if ((match = /^(\w+)\.(include_router|register_blueprint|mount)\s*\(/.exec(statement))) {
      const args = argumentsAfter(statement, statement.indexOf('('));
      const keyword = match[2] === 'register_blueprint' ? 'url_prefix' : 'prefix';
      const given = prefixOf(args, keyword, line);
      const prefix = given ?? (match[2] === 'mount' ? firstString(args) : undefined) ?? '';
      const targetText = match[2] === 'mount' ? /,\s*([\w.]+)/.exec(args)?.[1] : /^\s*([\w.]+)/.exec(args)?.[1];
      if (!targetText) continue;
      const [head, ...rest] = targetText.split('.');
      const owner = match[1] ?? '';
      const imported = importedModules.get(head ?? '');
      let target: RouteMount['target'];
      if (rest.length > 0 && imported) target = { module: imported, exportName: rest.join('.') };
      else if (rest.length === 0 && imported) {
        const entry = imports.find((candidate) => candidate.owner === head);
        target = entry ? { module: entry.module, ...(entry.exportName === undefined ? {} : { exportName: entry.exportName }) } : { module: imported };
      } else target = { owner: head ?? '' };
      // Flask: `register_blueprint(bp, url_prefix=…)` replaces the blueprint's own prefix.
      mounts.push({ owner, prefix, line, target, ...(match[2] === 'register_blueprint' && given !== undefined ? { replacesPrefix: true } : {}) });
    }
  }
  return { routes, mounts, imports, ownerPrefixes, exportedOwners, mountedOwners, rootOwners, ...(unresolved.length > 0 ? { unresolved } : {}) };
}
