import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';

let loaded: typeof TypeScript | undefined;

/** The TypeScript compiler, loaded on first use (`require`: no ESM export scan of its 9 MB file). */
function loadTypeScript(): typeof TypeScript {
  loaded ??= createRequire(import.meta.url)('typescript') as typeof TypeScript;
  return loaded;
}

/**
 * The `typescript` module, loaded the first time anything reads from it. Importing the
 * compiler costs about a second of CPU and 75 MB of memory, which every run of the CLI paid at
 * start-up (and in every process it forks) whether or not a contract was ever checked.
 */
export const ts: typeof TypeScript = new Proxy({} as typeof TypeScript, {
  get: (_target, key) => Reflect.get(loadTypeScript(), key),
  has: (_target, key) => Reflect.has(loadTypeScript(), key),
});

/** The compiler's types under the same name, for annotations (`ts.Node`, `ts.Expression` …). */
export declare namespace ts {
  export type ArrowFunction = TypeScript.ArrowFunction;
  export type CallExpression = TypeScript.CallExpression;
  export type Decorator = TypeScript.Decorator;
  export type Expression = TypeScript.Expression;
  export type FunctionDeclaration = TypeScript.FunctionDeclaration;
  export type FunctionExpression = TypeScript.FunctionExpression;
  export type HasModifiers = TypeScript.HasModifiers;
  export type Identifier = TypeScript.Identifier;
  export type MethodDeclaration = TypeScript.MethodDeclaration;
  export type Node = TypeScript.Node;
  export type ObjectLiteralExpression = TypeScript.ObjectLiteralExpression;
  export type PropertyAccessExpression = TypeScript.PropertyAccessExpression;
  export type PropertyName = TypeScript.PropertyName;
  export type SourceFile = TypeScript.SourceFile;
  export type ScriptKind = TypeScript.ScriptKind;
  export type SyntaxKind = TypeScript.SyntaxKind;
}
