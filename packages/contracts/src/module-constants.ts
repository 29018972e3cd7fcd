import { ts } from './lazy-typescript';
import { relativeImports } from './module-bindings';
import { StringEvaluator } from './string-evaluator';
import { parseTypeScript } from './typescript-source';
import { hasImportToken, IMPORT_TOKEN } from './import-token';

/** Every top-level string constant of a JS/TS file, objects flattened (`ROUTES.orders`), the default export as `default`. */
export function collectModuleConstants(file: string, text: string): Record<string, string> {
  if (file.endsWith('.py')) return collectPythonConstants(text);
  if (!/\bexport\b|\bexports\b/.test(text)) return {};
  const sourceFile = parseTypeScript(file, text);
  const evaluator = new StringEvaluator(sourceFile, { imports: relativeImports(sourceFile) });
  const constants: Record<string, string> = {};
  const record = (name: string, expression: ts.Expression | undefined, depth = 0) => {
    if (!expression || depth > 3) return;
    let unwrapped = expression;
    while (ts.isAsExpression(unwrapped) || ts.isSatisfiesExpression(unwrapped) || ts.isParenthesizedExpression(unwrapped)) unwrapped = unwrapped.expression;
    if (ts.isObjectLiteralExpression(unwrapped)) {
      for (const property of unwrapped.properties) {
        if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) record(`${name}.${property.name.text}`, property.initializer, depth + 1);
        else if (ts.isShorthandPropertyAssignment(property)) record(`${name}.${property.name.text}`, property.name, depth + 1);
      }
      return;
    }
    if (ts.isIdentifier(unwrapped) && depth === 0) {
      // `export default config`: the default export's entries are config's.
      const prefix = `${unwrapped.text}.`;
      for (const [key, value] of Object.entries(constants)) if (key.startsWith(prefix)) constants[`${name}.${key.slice(prefix.length)}`] = value;
    }
    const value = evaluator.value(unwrapped);
    if (value !== undefined) constants[name] = value;
  };
  for (const statement of sourceFile.statements) {
    if (ts.isVariableStatement(statement) && (statement.declarationList.flags & ts.NodeFlags.Const) !== 0) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) record(declaration.name.text, declaration.initializer);
    } else if (ts.isExportAssignment(statement)) record('default', statement.expression);
    else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = statement.expression.left.getText(sourceFile);
      if (left === 'module.exports') {
        record('default', statement.expression.right);
        // `const { API } = require('./config')` names the object's keys directly.
        for (const [key, value] of Object.entries(constants)) if (key.startsWith('default.')) constants[key.slice('default.'.length)] ??= value;
      } else if (/^(?:module\.)?exports\.\w+$/.test(left)) record(left.split('.').pop() ?? '', statement.expression.right);
    }
  }
  return constants;
}

/** Module-level `NAME = "…"` of a Python file. */
function collectPythonConstants(text: string): Record<string, string> {
  const constants: Record<string, string> = {};
  for (const match of text.matchAll(/^([A-Za-z_]\w*)\s*(?::\s*[\w.[\]]+\s*)?=\s*[rRuU]?(?:"([^"\n]*)"|'([^'\n]*)')\s*$/gm)) constants[match[1] ?? ''] = match[2] ?? match[3] ?? '';
  return constants;
}

export interface ImportLookup {
  /** The project file a module specifier names from `fromFile`, if it was read. */
  resolveModule(fromFile: string, specifier: string): string | undefined;
  constantsOf(file: string): Record<string, string> | undefined;
}

/**
 * Replaces import tokens with the imported strings. What cannot be found becomes a `{NAME*}`
 * segment (any prefix) and a reason; an optional token whose module is known but has no
 * such string becomes nothing (it was middleware, not a prefix).
 */
export function substituteImports(text: string, fromFile: string, lookup: ImportLookup, reasons: string[], depth = 0): string {
  if (!hasImportToken(text)) return text;
  return text.replace(IMPORT_TOKEN, (_whole, optional: string, encodedModule: string, name: string) => {
    const module = decodeURIComponent(encodedModule);
    const bare = name.replace(/^default\./, '');
    const wildcard = `/{${(bare.split('.').pop() ?? 'base').replace(/[^A-Za-z0-9_]/g, '') || 'base'}*}/`;
    const target = lookup.resolveModule(fromFile, module);
    const constants = target === undefined ? undefined : lookup.constantsOf(target);
    const value = constants?.[name] ?? constants?.[bare] ?? constants?.[`default.${name}`];
    if (value !== undefined && depth < 6) return substituteImports(value, target ?? fromFile, lookup, reasons, depth + 1);
    if (optional && target !== undefined) return '';
    reasons.push(target === undefined ? `${name} comes from ${module}, which was not read` : `${target} has no string constant ${name}`);
    return wildcard;
  });
}
