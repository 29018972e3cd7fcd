import ts from 'typescript';
import type { ExtractedRoute, RouteExtractor } from '../route-extractor';
import { joinRoutePaths, normaliseMethod } from '../route-path';
import { importsModule } from '../module-bindings';
import { StringEvaluator } from '../string-evaluator';
import { lineOf, objectProperty, parseTypeScript, visit } from '../typescript-source';
import { isScriptFile } from './script-files';

const METHOD_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'Head', 'Options', 'All']);

function decoratorCall(decorator: ts.Decorator): { name: string; args: readonly ts.Expression[] } | undefined {
  const expression = decorator.expression;
  if (ts.isCallExpression(expression) && ts.isIdentifier(expression.expression)) return { name: expression.expression.text, args: expression.arguments };
  return undefined;
}

/** NestJS: `@Controller('users')` classes with `@Get(':id')` methods; `app.setGlobalPrefix('api')`. */
export const nestjsExtractor: RouteExtractor = {
  name: 'nestjs',
  side: 'backend',
  matches: isScriptFile,
  extract(file, text) {
    if (!importsModule(text, /@nestjs\/(?:common|core)/)) return [];
    const sourceFile = parseTypeScript(file, text);
    const evaluator = new StringEvaluator(sourceFile);
    const paths = (argument: ts.Expression | undefined): string[] => {
      if (!argument) return [''];
      if (ts.isArrayLiteralExpression(argument)) return argument.elements.flatMap((element) => paths(element));
      if (ts.isObjectLiteralExpression(argument)) return paths(objectProperty(argument, 'path'));
      const value = evaluator.value(argument);
      return value === undefined ? [] : [value];
    };
    const routes: ExtractedRoute[] = [];
    let globalPrefix: string | undefined;
    visit(sourceFile, (node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'setGlobalPrefix'
      ) {
        globalPrefix = evaluator.value(node.arguments[0]) ?? globalPrefix;
      }
      if (!ts.isClassDeclaration(node)) return;
      const controller = (ts.getDecorators(node) ?? []).map(decoratorCall).find((call) => call?.name === 'Controller');
      if (!controller) return;
      const prefixes = paths(controller.args[0]);
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member)) continue;
        for (const decorator of ts.getDecorators(member) ?? []) {
          const call = decoratorCall(decorator);
          if (!call || !METHOD_DECORATORS.has(call.name)) continue;
          const line = lineOf(sourceFile, decorator);
          for (const prefix of prefixes) for (const path of paths(call.args[0])) routes.push({ method: normaliseMethod(call.name), path: joinRoutePaths(prefix, path), line });
        }
      }
    });
    return { routes, ...(globalPrefix === undefined ? {} : { globalPrefix }) };
  },
};
