import { ts } from './lazy-typescript';
import { assignedName, lineOf } from './typescript-source';

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

const isFunctionLike = (node: ts.Node): node is FunctionLike => ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node);

/**
 * Names of bindings as the contract extractors key them: a top-level name as written
 * (`router`), a name declared inside a function qualified by that function (`createUsersRouter>router`),
 * so two factories of one file that both say `const router = Router()` stay apart.
 * A function's `i`-th argument is `name(i)`: `createUsersRouter(0)`.
 */
export class ScopeNames {
  readonly #sourceFile: ts.SourceFile;
  readonly #declared = new Map<ts.Node, Set<string>>();
  readonly #names = new Map<ts.Node, string>();
  /** Parameters (by position) of each named function of the file. */
  readonly parametersOf = new Map<string, string[]>();
  /** Each named function's line. */
  readonly lineOfFunction = new Map<string, number>();

  constructor(sourceFile: ts.SourceFile) {
    this.#sourceFile = sourceFile;
  }

  /** The name a function goes by: its own, the variable or property it is assigned to, `default`, or `fn@<line>`. */
  functionName(fn: FunctionLike): string {
    const known = this.#names.get(fn);
    if (known) return known;
    let name: string | undefined;
    const isDefault = (ts.getModifiers(fn as ts.HasModifiers) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword);
    if (ts.isFunctionDeclaration(fn)) name = fn.name?.text ?? (isDefault ? 'default' : undefined);
    else if (ts.isMethodDeclaration(fn) && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) name = fn.name.text;
    if (name === undefined) {
      let parent = fn.parent;
      while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) parent = parent.parent;
      if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const left = parent.left.getText(this.#sourceFile);
        if (left === 'module.exports' || left === 'exports.default') name = 'default';
        else if (/^(?:module\.)?exports\.\w+$/.test(left)) name = left.split('.').pop();
      }
      if (name === undefined && parent && ts.isPropertyAssignment(parent) && (ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name))) {
        // `export const http = { get: (path) => … }`: `http.get`.
        const owner = ts.isObjectLiteralExpression(parent.parent) ? assignedName(parent.parent) : undefined;
        name = owner === undefined ? undefined : `${owner}.${parent.name.text}`;
      }
      name ??= assignedName(fn) ?? (ts.isFunctionExpression(fn) ? fn.name?.text : undefined) ?? `fn@${lineOf(this.#sourceFile, fn)}`;
    }
    this.#names.set(fn, name);
    const parameters = fn.parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : ''));
    if (!this.parametersOf.has(name)) {
      this.parametersOf.set(name, parameters);
      this.lineOfFunction.set(name, lineOf(this.#sourceFile, fn));
    }
    return name;
  }

  /** The key of `name` as seen from `node`: qualified by the innermost function that declares it. */
  scopedAt(node: ts.Node, name: string): string {
    for (let current: ts.Node | undefined = node.parent ?? node; current; current = current.parent) {
      if (isFunctionLike(current) && this.#declarations(current).has(name)) return `${this.functionName(current)}>${name}`;
    }
    return name;
  }

  /** The innermost function around `node`, if any. */
  enclosingFunction(node: ts.Node): FunctionLike | undefined {
    for (let current = node.parent; current; current = current.parent) if (isFunctionLike(current)) return current;
    return undefined;
  }

  #declarations(fn: FunctionLike): Set<string> {
    const known = this.#declared.get(fn);
    if (known) return known;
    const names = new Set<string>();
    for (const parameter of fn.parameters) if (ts.isIdentifier(parameter.name)) names.add(parameter.name.text);
    const walk = (node: ts.Node) => {
      if (node !== fn && isFunctionLike(node)) {
        if (ts.isFunctionDeclaration(node) && node.name) names.add(node.name.text);
        return;
      }
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) names.add(node.name.text);
      ts.forEachChild(node, walk);
    };
    if (fn.body) walk(fn.body);
    this.#declared.set(fn, names);
    return names;
  }
}

export { isFunctionLike };
export type { FunctionLike };
