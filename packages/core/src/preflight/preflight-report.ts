export interface PreflightCheck {
  /** Stable id, e.g. `git.repository`. */
  id: string;
  label: string;
  status: 'pass' | 'warn' | 'fail';
  message: string;
  /** How to fix it, for warnings and failures. */
  fix?: string;
}

export interface PreflightReport {
  checks: PreflightCheck[];
  /** No failures (and no warnings when warnings are fatal). */
  isPassed: boolean;
  hasWarnings: boolean;
}
