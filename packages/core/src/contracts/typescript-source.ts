import ts from 'typescript';

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

/** Whether the file imports or requires `moduleName` (or a subpath of it). */
export function importsModule(text: string, moduleName: RegExp | string): boolean {
  const name = typeof moduleName === 'string' ? moduleName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : moduleName.source;
  return new RegExp(`(?:from\\s*|require\\(\\s*|import\\(\\s*|import\\s+)['"](?:${name})(?:/[^'"]*)?['"]`).test(text);
}

/** The local names bound by imports from relative modules (ES imports and `const x = require('./x')`). */
export function relativeImports(sourceFile: ts.SourceFile): Array<{ owner: string; module: string; exportName?: string }> {
  const imports: Array<{ owner: string; module: string; exportName?: string }> = [];
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const module = statement.moduleSpecifier.text;
      if (!module.startsWith('.') && !module.startsWith('@/') && !module.startsWith('~/')) continue;
      const clause = statement.importClause;
      if (clause?.name) imports.push({ owner: clause.name.text, module, exportName: 'default' });
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) imports.push({ owner: element.name.text, module, exportName: (element.propertyName ?? element.name).text });
      } else if (bindings && ts.isNamespaceImport(bindings)) imports.push({ owner: bindings.name.text, module });
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const initializer = declaration.initializer;
        const required = initializer && ts.isCallExpression(initializer) && ts.isIdentifier(initializer.expression) && initializer.expression.text === 'require' ? initializer.arguments[0] : undefined;
        if (!required || !ts.isStringLiteral(required) || !required.text.startsWith('.')) continue;
        if (ts.isIdentifier(declaration.name)) imports.push({ owner: declaration.name.text, module: required.text, exportName: 'default' });
        else if (ts.isObjectBindingPattern(declaration.name)) {
          for (const element of declaration.name.elements) {
            if (ts.isIdentifier(element.name)) imports.push({ owner: element.name.text, module: required.text, exportName: (element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName : element.name).text });
          }
        }
      }
    }
  }
  return imports;
}

/** Local names bound by imports or requires of packages (not relative modules). */
export function packageImportNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const isPackage = (specifier: string) => !specifier.startsWith('.') && !specifier.startsWith('@/') && !specifier.startsWith('~/');
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && isPackage(statement.moduleSpecifier.text)) {
      const clause = statement.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
      else if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const initializer = declaration.initializer;
        const required = initializer && ts.isCallExpression(initializer) && ts.isIdentifier(initializer.expression) && initializer.expression.text === 'require' ? initializer.arguments[0] : undefined;
        if (!required || !ts.isStringLiteral(required) || !isPackage(required.text)) continue;
        if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
        else if (ts.isObjectBindingPattern(declaration.name)) for (const element of declaration.name.elements) if (ts.isIdentifier(element.name)) names.add(element.name.text);
      }
    }
  }
  return names;
}

/** The default export's local name (`export default router`, `module.exports = router`). */
export function defaultExportName(sourceFile: ts.SourceFile): string | undefined {
  for (const statement of sourceFile.statements) {
    if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) return statement.expression.text;
    if (
      ts.isExpressionStatement(statement) &&
      ts.isBinaryExpression(statement.expression) &&
      statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      statement.expression.left.getText(sourceFile) === 'module.exports' &&
      ts.isIdentifier(statement.expression.right)
    ) {
      return statement.expression.right.text;
    }
  }
  return undefined;
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

/** The segment that stands for an unknown base URL: `/{API_URL*}`. */
export function unknownBaseSegment(name: string): string {
  return `/{${name.replace(/[^A-Za-z0-9_]/g, '') || 'base'}*}`;
}

/** Evaluates string expressions of one file: literals, templates, `+`, and `const` values of the same file. */
export class StringEvaluator {
  readonly #constants = new Map<string, ts.Expression>();
  readonly #sourceFile: ts.SourceFile;

  constructor(sourceFile: ts.SourceFile) {
    this.#sourceFile = sourceFile;
    visit(sourceFile, (node) => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        ts.isVariableDeclarationList(node.parent) &&
        (node.parent.flags & ts.NodeFlags.Const) !== 0 &&
        !this.#constants.has(node.name.text)
      ) {
        this.#constants.set(node.name.text, node.initializer);
      }
    });
  }

  /** The exact string value, or undefined when any part is unknown. */
  value(expression: ts.Expression | undefined): string | undefined {
    if (!expression) return undefined;
    const parts = this.#parts(expression, 0);
    if (!parts || parts.some((part) => typeof part !== 'string')) return undefined;
    return parts.join('');
  }

  /**
   * A URL: known parts as they are, unknown parts as `${name}` parameters, and an unknown
   * leading part (a base URL from the environment) dropped. Undefined when nothing is known.
   */
  url(expression: ts.Expression | undefined): string | undefined {
    if (!expression) return undefined;
    const parts = this.#parts(expression, 0);
    if (!parts) return undefined;
    return StringEvaluator.render(parts);
  }

  /** The parts of a string expression: known text, and unknown expressions by name. Undefined when unknowable. */
  parts(expression: ts.Expression | undefined): Array<string | { unknown: string }> | undefined {
    return expression ? this.#parts(expression, 0) : undefined;
  }

  /** Like {@link parts}, but an unknowable expression is one unknown part named after it. */
  partsOrUnknown(expression: ts.Expression | undefined): Array<string | { unknown: string }> | undefined {
    if (!expression) return undefined;
    return this.#parts(expression, 0) ?? [{ unknown: this.#nameOf(expression) }];
  }

  /**
   * Parts as a URL (see {@link url}). An unknown leading part (a base URL from the environment
   * or another file) becomes a `{NAME*}` segment: matching then accepts any prefix there.
   */
  static render(input: ReadonlyArray<string | { unknown: string }>): string | undefined {
    const parts = [...input];
    let base: string | undefined;
    while (parts.length > 0 && typeof parts[0] !== 'string') base ??= (parts.shift() as { unknown: string }).unknown;
    if (parts.length === 0) return undefined;
    const text = parts.map((part) => (typeof part === 'string' ? part : `\${${part.unknown}}`)).join('');
    if (text.trim() === '') return undefined;
    return base === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `${unknownBaseSegment(base)}/${text.replace(/^\/+/, '')}`;
  }

  /** A base URL as a prefix: its path, `/{NAME*}` when it is unknown, undefined when absent. */
  static renderBase(input: ReadonlyArray<string | { unknown: string }> | undefined): string | undefined {
    if (!input || input.length === 0) return undefined;
    if (input.every((part) => typeof part !== 'string')) return unknownBaseSegment((input[0] as { unknown: string }).unknown);
    return StringEvaluator.render(input);
  }

  #parts(expression: ts.Expression, depth: number): Array<string | { unknown: string }> | undefined {
    if (depth > 8) return undefined;
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression) || ts.isNumericLiteral(expression)) return [expression.text];
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression) || ts.isNonNullExpression(expression) || ts.isSatisfiesExpression(expression)) {
      return this.#parts(expression.expression, depth + 1);
    }
    if (ts.isTemplateExpression(expression)) {
      const parts: Array<string | { unknown: string }> = [expression.head.text];
      for (const span of expression.templateSpans) {
        parts.push(...(this.#parts(span.expression, depth + 1) ?? [{ unknown: this.#nameOf(span.expression) }]));
        parts.push(span.literal.text);
      }
      return parts.filter((part) => part !== '');
    }
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = this.#parts(expression.left, depth + 1) ?? [{ unknown: this.#nameOf(expression.left) }];
      const right = this.#parts(expression.right, depth + 1) ?? [{ unknown: this.#nameOf(expression.right) }];
      return [...left, ...right];
    }
    if (
      ts.isBinaryExpression(expression) &&
      (expression.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || expression.operatorToken.kind === ts.SyntaxKind.BarBarToken)
    ) {
      // `process.env.API_URL ?? 'http://localhost:3000/api'`: the fallback is what we can know.
      return this.#parts(expression.left, depth + 1) ?? this.#parts(expression.right, depth + 1);
    }
    if (ts.isIdentifier(expression)) {
      const initializer = this.#constants.get(expression.text);
      return initializer ? this.#parts(initializer, depth + 1) : undefined;
    }
    if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      const object = this.#constants.get(expression.expression.text);
      const unwrapped = object && (ts.isAsExpression(object) || ts.isSatisfiesExpression(object)) ? object.expression : object;
      if (unwrapped && ts.isObjectLiteralExpression(unwrapped)) {
        const property = objectProperty(unwrapped, expression.name.text);
        return property ? this.#parts(property, depth + 1) : undefined;
      }
    }
    return undefined;
  }

  #nameOf(expression: ts.Expression): string {
    const text = expression.getText(this.#sourceFile);
    const identifiers = text.match(/[A-Za-z_$][A-Za-z0-9_$]*/g);
    return identifiers?.[identifiers.length - 1] ?? 'param';
  }
}
