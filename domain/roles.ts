/**
 * The roles a principal can hold. Every API route names the roles it admits; a route that names none admits nobody.
 */
export const ROLES = ['admin', 'compliance-officer', 'incident-responder', 'auditor', 'vendor-manager', 'staff', 'system'] as const;

export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: 'Manages principals, API keys and webhook endpoints; may do everything else too.',
  'compliance-officer': 'Launches and decides compliance processes (reviews, audits, campaigns).',
  'incident-responder': 'Reports incidents and signals their steps.',
  auditor: 'Reads evidence, access logs and reports; changes nothing.',
  'vendor-manager': 'Runs vendor due diligence and monitoring.',
  staff: 'Sees and completes only the tasks assigned to them.',
  system: 'Other systems sending events in (CRM, LMS, ticketing).',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
