import { CHECKS, type AuditScope } from './types';

/** What an audit checks when its request leaves something out. */
export const DEFAULT_SCOPE: AuditScope = {
  checks: [...CHECKS],
  staleAfterMonths: 24,
  keyUnusedDays: 90,
  correctiveActionSeverity: 'high',
};

/** The scope of a run: the request's choices over the defaults, checks in catalogue order and without repeats. */
export function auditScope(request: Partial<AuditScope>): AuditScope {
  const chosen = new Set(request.checks ?? DEFAULT_SCOPE.checks);
  return {
    ...DEFAULT_SCOPE,
    ...request,
    checks: CHECKS.filter((check) => chosen.has(check)),
    ...(request.countries && { countries: [...new Set(request.countries.map((c) => c.trim().toUpperCase()))].sort() }),
  };
}
