/** JavaScript and TypeScript sources, but not declaration files. */
export function isScriptFile(file: string): boolean {
  return /\.(?:[cm]?[jt]s|[jt]sx)$/.test(file) && !/\.d\.[cm]?ts$/.test(file);
}
