import { ts } from '../lazy-typescript';
import type { ExtractedRoute, RouteExtractor } from '../route-extractor';
import { HTTP_METHODS } from '../route-path';
import { lineOf, parseTypeScript, visit } from '../typescript-source';

const APP_ROUTE = /(?:^|\/)app\/((?:.+\/)?)route\.(?:[cm]?[jt]s|[jt]sx)$/;
const PAGES_API = /(?:^|\/)pages\/(api(?:\/.+)?)\.(?:[cm]?[jt]s|[jt]sx)$/;
const METHODS = new Set<string>(HTTP_METHODS);

/** The URL path of an App Router folder: route groups `(x)`, slots `@x` and private `_x` folders vanish. */
function appRoutePath(folder: string): string {
  const segments = folder.split('/').filter((segment) => segment && !/^\(.*\)$/.test(segment) && !segment.startsWith('@'));
  return `/${segments.join('/')}`;
}

/** Next.js route handlers: `app/**\/route.ts` exporting `GET`, `POST` …; `pages/api/**` (methods from `req.method` checks). */
export const nextjsExtractor: RouteExtractor = {
  name: 'nextjs',
  side: 'backend',
  matches: (file) => !file.includes('node_modules/') && (APP_ROUTE.test(file) || PAGES_API.test(file)),
  extract(file, text) {
    const sourceFile = parseTypeScript(file, text);
    const routes: ExtractedRoute[] = [];
    const appMatch = APP_ROUTE.exec(file);
    if (appMatch) {
      const path = appRoutePath(appMatch[1] ?? '');
      for (const statement of sourceFile.statements) {
        const isExported = ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
        if (ts.isFunctionDeclaration(statement) && isExported && statement.name && METHODS.has(statement.name.text)) {
          routes.push({ method: statement.name.text, path, line: lineOf(sourceFile, statement) });
        }
        if (ts.isVariableStatement(statement) && isExported) {
          for (const declaration of statement.declarationList.declarations) {
            if (ts.isIdentifier(declaration.name) && METHODS.has(declaration.name.text)) routes.push({ method: declaration.name.text, path, line: lineOf(sourceFile, declaration) });
          }
        }
        if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
          for (const element of statement.exportClause.elements) {
            if (METHODS.has(element.name.text)) routes.push({ method: element.name.text, path, line: lineOf(sourceFile, element) });
          }
        }
      }
      return routes;
    }
    const pagesMatch = PAGES_API.exec(file);
    if (!pagesMatch) return [];
    const path = `/${(pagesMatch[1] ?? '').replace(/(^|\/)index$/, '')}`;
    const methods = new Set<string>();
    let handlerLine = 1;
    visit(sourceFile, (node) => {
      if (ts.isExportAssignment(node)) handlerLine = lineOf(sourceFile, node);
      if (ts.isFunctionDeclaration(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword)) handlerLine = lineOf(sourceFile, node);
      // `req.method === 'POST'`, `case 'POST':` inside `switch (req.method)`.
      if (ts.isBinaryExpression(node) && /\.method$/.test(node.left.getText(sourceFile)) && ts.isStringLiteral(node.right) && METHODS.has(node.right.text)) methods.add(node.right.text);
      if (ts.isSwitchStatement(node) && /\.method$/.test(node.expression.getText(sourceFile))) {
        for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause) && ts.isStringLiteral(clause.expression) && METHODS.has(clause.expression.text)) methods.add(clause.expression.text);
      }
    });
    for (const method of methods.size > 0 ? methods : ['*']) routes.push({ method, path, line: handlerLine });
    return routes;
  },
};
