import { ts } from '../lazy-typescript';
import type { ExtractedRoute, RouteExtractor } from '../route-extractor';
import { joinRoutePaths, normaliseMethod } from '../route-path';
import { importsModule, relativeImports } from '../module-bindings';
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
    const evaluator = new StringEvaluator(sourceFile, { imports: relativeImports(sourceFile) });
    /** `'1'`, `['1', '2']`, `VERSION_NEUTRAL` (no segment): as `@version:1@` markers the resolver turns into `v1` when URI versioning is on. */
    const versions = (argument: ts.Expression | undefined): string[] | undefined => {
      if (!argument) return undefined;
      if (ts.isArrayLiteralExpression(argument)) return argument.elements.flatMap((element) => versions(element) ?? []);
      if (/VERSION_NEUTRAL/.test(argument.getText(sourceFile))) return ['@version:-@'];
      const value = evaluator.value(argument);
      return value === undefined ? ['@version:?@'] : [`@version:${value}@`];
    };
    const paths = (argument: ts.Expression | undefined): string[] => {
      if (!argument) return [''];
      if (ts.isArrayLiteralExpression(argument)) return argument.elements.flatMap((element) => paths(element));
      if (ts.isObjectLiteralExpression(argument)) return paths(objectProperty(argument, 'path'));
      const value = evaluator.value(argument);
      return value === undefined ? [] : [value];
    };
    const routes: ExtractedRoute[] = [];
    let globalPrefix: string | undefined;
    let versioning: { prefix: string; defaultVersion?: string } | undefined;
    const unresolved: Array<{ line: number; reason: string }> = [];
    visit(sourceFile, (node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'setGlobalPrefix') {
        const value = evaluator.value(node.arguments[0]);
        if (value === undefined) {
          unresolved.push({ line: lineOf(sourceFile, node), reason: 'cannot compute the global prefix: routes are matched by their ending' });
          globalPrefix = '/{globalPrefix*}';
        } else globalPrefix = value;
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'enableVersioning') {
        const [settings] = node.arguments;
        const type = settings && ts.isObjectLiteralExpression(settings) ? objectProperty(settings, 'type')?.getText(sourceFile) : undefined;
        // Only URI versioning changes paths (header and media-type versioning do not).
        if (type === undefined || /URI/.test(type)) {
          const prefix = settings && ts.isObjectLiteralExpression(settings) ? objectProperty(settings, 'prefix') : undefined;
          const defaultVersion = settings && ts.isObjectLiteralExpression(settings) ? objectProperty(settings, 'defaultVersion') : undefined;
          const version = defaultVersion ? versions(defaultVersion)?.[0]?.replace(/^@version:|@$/g, '') : undefined;
          versioning = { prefix: prefix && prefix.kind === ts.SyntaxKind.FalseKeyword ? '' : (evaluator.value(prefix) ?? 'v'), ...(version === undefined ? {} : { defaultVersion: version }) };
        }
      }
      if (!ts.isClassDeclaration(node)) return;
      const controller = (ts.getDecorators(node) ?? []).map(decoratorCall).find((call) => call?.name === 'Controller');
      if (!controller) return;
      const prefixes = paths(controller.args[0]);
      const settings = controller.args[0];
      const controllerVersions = settings && ts.isObjectLiteralExpression(settings) ? versions(objectProperty(settings, 'version')) : undefined;
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member)) continue;
        const memberDecorators = (ts.getDecorators(member) ?? []).map(decoratorCall);
        const versionDecorator = memberDecorators.find((call) => call?.name === 'Version');
        const routeVersions = (versionDecorator ? versions(versionDecorator.args[0]) : controllerVersions) ?? ['@version:@'];
        for (const decorator of ts.getDecorators(member) ?? []) {
          const call = decoratorCall(decorator);
          if (!call || !METHOD_DECORATORS.has(call.name)) continue;
          const line = lineOf(sourceFile, decorator);
          for (const version of routeVersions) {
            for (const prefix of prefixes) for (const path of paths(call.args[0])) routes.push({ method: normaliseMethod(call.name), path: joinRoutePaths(version, prefix, path), line });
          }
        }
      }
    });
    return {
      routes,
      ...(globalPrefix === undefined ? {} : { globalPrefix }),
      ...(versioning === undefined ? {} : { versionPrefix: versioning.prefix, ...(versioning.defaultVersion === undefined ? {} : { defaultVersion: versioning.defaultVersion }) }),
      ...(unresolved.length > 0 ? { unresolved } : {}),
    };
  },
};
