import { ts } from './lazy-typescript';

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
    // `export default function userRoutes(app) {}`: the function's name, as the extractors key it.
    if (ts.isFunctionDeclaration(statement) && (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword)) return statement.name?.text ?? 'default';
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
