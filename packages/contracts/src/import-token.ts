/**
 * A string imported from another module, kept as a token until the whole project is known:
 * `⟦./config|API_PREFIX⟧`. An optional token (`⟦?…⟧`) stands for "a prefix if that module
 * exports a string by this name, nothing otherwise" (`app.use(authenticate, router)`).
 */
export function importToken(module: string, name: string, isOptional = false): string {
  return `⟦${isOptional ? '?' : ''}${encodeURIComponent(module)}|${name}⟧`;
}

export const IMPORT_TOKEN = /⟦(\??)([^|⟧]*)\|([^⟧]*)⟧/g;

export const hasImportToken = (text: string) => text.includes('⟦');
