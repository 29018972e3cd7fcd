import type { PreflightCheck } from './preflight-report';

/** Builders for checks, so every check reads the same. */
export const pass = (id: string, label: string, message: string): PreflightCheck => ({ id, label, status: 'pass', message });
export const warn = (id: string, label: string, message: string, fix: string): PreflightCheck => ({ id, label, status: 'warn', message, fix });
export const fail = (id: string, label: string, message: string, fix: string): PreflightCheck => ({ id, label, status: 'fail', message, fix });
