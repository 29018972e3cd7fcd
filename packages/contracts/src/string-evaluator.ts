import { ts } from './lazy-typescript';
import { importToken } from './import-token';
import type { RouteImport } from './route-extractor';
import { objectProperty, visit } from './typescript-source';

/** The segment that stands for an unknown base URL: `/{API_URL*}`. */
export function unknownBaseSegment(name: string): string {
  return `/{${name.replace(/[^A-Za-z0-9_]/g, '') || 'base'}*}`;
}

/** Evaluates string expressions of one file: literals, templates, `+`, and `const` values of the same file. */
export class StringEvaluator {
  readonly #constants = new Map<string, ts.Expression>();
  readonly #sourceFile: ts.SourceFile;
  readonly #imports: ReadonlyMap<string, RouteImport>;

  /** With `imports`, a name imported from another module becomes an import token, resolved once the project is read. */
  constructor(sourceFile: ts.SourceFile, options: { imports?: readonly RouteImport[] } = {}) {
    this.#sourceFile = sourceFile;
    this.#imports = new Map((options.imports ?? []).map((entry) => [entry.owner, entry]));
    visit(sourceFile, (node) => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0 && !this.#constants.has(node.name.text)) {
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
    if (ts.isBinaryExpression(expression) && (expression.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || expression.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      // `process.env.API_URL ?? 'http://localhost:3000/api'`: the fallback is what we can know.
      return this.#parts(expression.left, depth + 1) ?? this.#parts(expression.right, depth + 1);
    }
    if (ts.isIdentifier(expression)) {
      const initializer = this.#constants.get(expression.text);
      if (initializer) return this.#parts(initializer, depth + 1);
      const imported = this.#imports.get(expression.text);
      return imported?.exportName === undefined ? undefined : [importToken(imported.module, imported.exportName)];
    }
    const chain = ts.isPropertyAccessExpression(expression) ? propertyChain(expression) : undefined;
    if (chain && !this.#constants.has(chain.root)) {
      // `config.routes.users` with `config` imported: `routes.users` of that module's export.
      const imported = this.#imports.get(chain.root);
      if (imported) return [importToken(imported.module, imported.exportName === undefined ? chain.path : `${imported.exportName}.${chain.path}`)];
    }
    if (ts.isPropertyAccessExpression(expression)) {
      const object = this.#objectOf(expression.expression, depth + 1);
      const property = object ? objectProperty(object, expression.name.text) : undefined;
      return property ? this.#parts(property, depth + 1) : undefined;
    }
    return undefined;
  }

  /** The object literal an expression stands for: a `const` of this file, or a property of one. */
  #objectOf(expression: ts.Expression, depth: number): ts.ObjectLiteralExpression | undefined {
    if (depth > 8) return undefined;
    let value: ts.Expression | undefined;
    if (ts.isIdentifier(expression)) value = this.#constants.get(expression.text);
    else if (ts.isPropertyAccessExpression(expression)) {
      const parent = this.#objectOf(expression.expression, depth + 1);
      value = parent ? objectProperty(parent, expression.name.text) : undefined;
    }
    while (value && (ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isParenthesizedExpression(value))) value = value.expression;
    return value && ts.isObjectLiteralExpression(value) ? value : undefined;
  }

  #nameOf(expression: ts.Expression): string {
    const text = expression.getText(this.#sourceFile);
    const identifiers = text.match(/[A-Za-z_$][A-Za-z0-9_$]*/g);
    return identifiers?.[identifiers.length - 1] ?? 'param';
  }
}

/** `a.b.c` as its root name and the rest: `{ root: 'a', path: 'b.c' }`. */
function propertyChain(expression: ts.PropertyAccessExpression): { root: string; path: string } | undefined {
  const names: string[] = [];
  let current: ts.Expression = expression;
  while (ts.isPropertyAccessExpression(current)) {
    names.unshift(current.name.text);
    current = current.expression;
  }
  return ts.isIdentifier(current) ? { root: current.text, path: names.join('.') } : undefined;
}
