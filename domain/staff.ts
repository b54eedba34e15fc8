/**
 * The staff directory: the people training campaigns are assigned to. Entered by hand or imported from an HR system
 * (CSV or JSON Lines, the same row format as the consent import), so validation normalises what people type
 * inconsistently (e-mail and slug case, padding) and reports every problem by field, all at once.
 *
 * Departments and job roles are lower-case slugs because campaign audiences match them exactly: "Sales" in one
 * export and "sales " in the next must be the same department, or a campaign would silently miss people.
 */
import { DateTime } from 'luxon';
import type { RowProblem } from './consent-import';
import { normaliseEmail, type SubjectProblem, type Validated } from './subject';
import { isInstant, isIsoDate } from './vendor/dates';

export const STAFF_STATUSES = ['joiner', 'active', 'leaver'] as const;
export type StaffStatus = (typeof STAFF_STATUSES)[number];

export interface StaffMember {
  id: string;
  name: string;
  email: string;
  department: string;
  jobRoles: string[];
  managerId?: string;
  status: StaffStatus;
  /** YYYY-MM-DD, as in the HR system. */
  startDate?: string;
  /** YYYY-MM-DD: the last working day. */
  endDate?: string;
  /** The API principal this person signs in as; only they may attest their own training. */
  principalId?: string;
  /** The member's id in the HR system, unique: it makes imports idempotent. */
  externalId?: string;
}

export type StaffInput = Omit<StaffMember, 'id'>;

/** A request body or an import row before validation: the fields of a `StaffInput`, of any type. */
export type StaffDraft = { [K in keyof StaffInput]?: unknown };

/**
 * One valid import row. The manager is named by HR id, since the importer does not know directory ids; the caller
 * resolves it to `managerId` once every row of the file is known (a manager may appear after their reports).
 */
export interface StaffRow {
  member: StaffInput & { externalId: string };
  managerExternalId?: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ID = /^[A-Za-z0-9_:.-]{1,128}$/;
const ID_RULE = 'must be 1 to 128 letters, digits or _ : . -';
const MAX_NAME = 200;
const KNOWN = new Set(['externalId', 'name', 'email', 'department', 'jobRoles', 'managerExternalId', 'status', 'startDate', 'endDate']);
// Both, because the tools staff lists come from disagree: ';' is the list separator of many locales, '|' of HR tools.
const JOB_ROLE_SEPARATOR = /[;|]/;

/** Why `input` is not a staff member, field by field, or the member normalised. The manager is the caller's to check. */
export function validateStaff(input: StaffDraft, path = ''): Validated<StaffInput> {
  const problems: SubjectProblem[] = [];
  const report = (field: string, message: string): void => void problems.push({ field: `${path}${field}`, message });
  const text = (field: keyof StaffInput, required: boolean): string | undefined => {
    const value = input[field];
    if (value === undefined || value === null) {
      if (required) report(field, 'is required');
    } else if (typeof value !== 'string') report(field, 'must be text');
    else if (value.trim() === '') report(field, 'must not be blank');
    else return value.trim();
    return undefined;
  };
  const checked = (field: keyof StaffInput, valid: (value: string) => boolean, rule: string): string | undefined => {
    const value = text(field, false);
    if (value === undefined || valid(value)) return value;
    report(field, rule);
    return undefined;
  };
  const slug = (field: string, value: string): string | undefined => {
    if (SLUG.test(value.toLowerCase())) return value.toLowerCase();
    report(field, `"${value}" is not a lower-case slug (a-z, 0-9 and -, at most 63, starting with a letter or digit)`);
    return undefined;
  };

  const name = text('name', true);
  if (name !== undefined && name.length > MAX_NAME) report('name', `must be 1 to ${MAX_NAME} characters`);
  const rawEmail = text('email', true);
  const email = rawEmail === undefined ? undefined : normaliseEmail(rawEmail);
  if (rawEmail !== undefined && email === undefined) report('email', 'is not a valid e-mail address');
  const rawDepartment = text('department', true);
  const department = rawDepartment === undefined ? undefined : slug('department', rawDepartment);
  // Repeats are dropped, not reported: "Sales" and "sales" are one role, however the HR export spells it.
  const jobRoles: string[] = [];
  if (Array.isArray(input.jobRoles)) {
    input.jobRoles.forEach((role: unknown, i) => {
      const field = `jobRoles[${i}]`;
      if (typeof role !== 'string') return report(field, 'must be text');
      const normalised = slug(field, role.trim());
      if (normalised !== undefined && !jobRoles.includes(normalised)) jobRoles.push(normalised);
    });
  } else if (input.jobRoles !== undefined && input.jobRoles !== null) report('jobRoles', 'must be a list of job roles');
  const status = (text('status', false)?.toLowerCase() ?? 'active') as StaffStatus;
  if (!STAFF_STATUSES.includes(status)) report('status', `must be one of ${STAFF_STATUSES.join(', ')}`);
  const startDate = checked('startDate', isIsoDate, 'must be a date (YYYY-MM-DD)');
  const endDate = checked('endDate', isIsoDate, 'must be a date (YYYY-MM-DD)');
  if (startDate !== undefined && endDate !== undefined && endDate < startDate) report('endDate', 'must not be before startDate');
  // Without an end date, nothing says from when a leaver stopped receiving training, which an auditor will ask.
  if (status === 'leaver' && (input.endDate === undefined || input.endDate === null)) report('endDate', 'is required for a leaver');
  const isId = (value: string): boolean => ID.test(value);
  const managerId = checked('managerId', isId, ID_RULE);
  const principalId = checked('principalId', isId, ID_RULE);
  const externalId = checked('externalId', isId, ID_RULE);

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      name: name!,
      email: email!,
      department: department!,
      jobRoles,
      status,
      ...(managerId !== undefined && { managerId }),
      ...(startDate !== undefined && { startDate }),
      ...(endDate !== undefined && { endDate }),
      ...(principalId !== undefined && { principalId }),
      ...(externalId !== undefined && { externalId }),
    },
  };
}

/**
 * One row of a staff import: CSV columns or JSON Lines fields externalId, name, email, department, jobRoles,
 * managerExternalId, status, startDate, endDate. Job roles are one text separated by ';' or '|' (in JSON Lines also
 * a list); empty pieces, as a trailing separator leaves, are ignored. Blank cells count as absent. Every problem is
 * reported by line and column; a problem with one job role names the column and quotes the role.
 */
export function parseStaffRow(line: number, raw: Record<string, unknown>): { row?: StaffRow; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const report = (field: string, reason: string): void => void problems.push({ line, field, reason });
  for (const name of Object.keys(raw)) if (!KNOWN.has(name)) report(name, 'is not a known column');
  const cell = (name: string): unknown => {
    const value = raw[name];
    if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
    return value ?? undefined;
  };
  const externalId = cell('externalId');
  if (externalId === undefined) report('externalId', 'is required (the id in your HR system)');
  const managerExternalId = cell('managerExternalId');
  if (managerExternalId !== undefined) {
    if (typeof managerExternalId !== 'string' || !ID.test(managerExternalId)) report('managerExternalId', ID_RULE);
    else if (managerExternalId === externalId) report('managerExternalId', 'must not be the member themselves');
  }
  const jobRoles = cell('jobRoles');
  const validated = validateStaff({
    externalId,
    name: cell('name'),
    email: cell('email'),
    department: cell('department'),
    jobRoles: typeof jobRoles === 'string' ? jobRoles.split(JOB_ROLE_SEPARATOR).filter((role) => role.trim() !== '') : jobRoles,
    status: cell('status'),
    startDate: cell('startDate'),
    endDate: cell('endDate'),
  });
  if (!validated.ok) for (const p of validated.problems) report(p.field.replace(/\[\d+\]$/, ''), p.message);
  if (problems.length > 0 || !validated.ok) return { problems };
  return {
    problems,
    row: { member: { ...validated.value, externalId: externalId as string }, ...(managerExternalId !== undefined && { managerExternalId: managerExternalId as string }) },
  };
}

/**
 * Whether new training may be assigned to `member` at the instant `on`. The end date is a whole day, compared with
 * `on`'s date in UTC: someone leaving today still works today. Throws a RangeError for an unreadable instant.
 */
export function receivesAssignments(member: Pick<StaffMember, 'status' | 'endDate'>, on: string): boolean {
  if (!isInstant(on)) throw new RangeError(`"${on}" is not an ISO 8601 instant with an offset`);
  if (member.status === 'leaver') return false;
  return member.endDate === undefined || member.endDate >= (DateTime.fromISO(on, { zone: 'utc' }).toISODate() as string);
}
