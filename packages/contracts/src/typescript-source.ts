import { ts } from './lazy-typescript';

let cached: { file: string; text: string; sourceFile: ts.SourceFile } | undefined;

/** Parses a JS/TS file (no type checking). The last parse is reused: every extractor reads the same file in turn. */
export function parseTypeScript(file: string, text: string): ts.SourceFile {
  if (cached && cached.file === file && cached.text === text) return cached.sourceFile;
  const kind = /\.(tsx|jsx)$/.test(file) ? ts.ScriptKind.TSX : /\.(js|mjs|cjs)$/.test(file) ? ts.ScriptKind.JSX : ts.ScriptKind.TS;
  const source = isComponentFile(file) ? scriptBlocksOnly(text) : text;
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, kind);
  cached = { file, text, sourceFile };
  return sourceFile;
}

/** Single-file components whose `<script>` blocks hold the code (Vue, Svelte). */
export function isComponentFile(file: string): boolean {
  return /\.(?:vue|svelte)$/.test(file);
}

/** The text with everything outside `<script>` blocks blanked, so lines and columns stay where they were. */
export function scriptBlocksOnly(text: string): string {
  const blank = (part: string) => part.replace(/[^\n]/g, ' ');
  let result = '';
  let position = 0;
  const pattern = /<script\b[^>]*>([\s\S]*?)<\/script\s*>/gi;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const bodyStart = match.index + match[0].indexOf('>') + 1;
    const bodyEnd = bodyStart + (match[1] ?? '').length;
    result += blank(text.slice(position, bodyStart)) + text.slice(bodyStart, bodyEnd);
    position = bodyEnd;
  }
  return result + blank(text.slice(position));
}

export function lineOf(sourceFile: ts.SourceFile, node: ts.Node): number {
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}

export function visit(node: ts.Node, callback: (node: ts.Node) => void): void {
  callback(node);
  ts.forEachChild(node, (child) => visit(child, callback));
}

/** The variable a call's result is assigned to (`const api = axios.create()` → `api`). */
export function assignedName(node: ts.Node): string | undefined {
  let current = node.parent;
  while (current && (ts.isAsExpression(current) || ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current))) current = current.parent;
  if (current && ts.isVariableDeclaration(current) && ts.isIdentifier(current.name)) return current.name.text;
  if (current && ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(current.left)) return current.left.text;
  if (current && ts.isPropertyDeclaration(current) && ts.isIdentifier(current.name)) return current.name.text;
  if (current && ts.isExportAssignment(current)) return 'default';
  return undefined;
}

/** The name of a call's receiver chain root: `app` in `app.get`, `router` in `router.route('/x').get`. */
export function receiverName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (expression.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(expression)) {
    // `this.app.get(...)`, `server.app.get(...)`: the last name is the object.
    return expression.name.text;
  }
  return undefined;
}

/** A property of an object literal by name. */
export function objectProperty(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && propertyKey(property.name) === name) return property.initializer;
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
  }
  return undefined;
}

function propertyKey(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}
