import { csvRecords } from '../../domain/csv';
import { STAFF_STATUSES, parseStaffRow, receivesAssignments, validateStaff, type StaffDraft, type StaffInput } from '../../domain/staff';
import type { SubjectProblem, Validated } from '../../domain/subject';

const problemsOf = (result: Validated<StaffInput>): SubjectProblem[] => (result.ok ? [] : result.problems);
const valueOf = (result: Validated<StaffInput>): StaffInput => {
  if (!result.ok) throw new Error(`expected a valid member, got ${JSON.stringify(result.problems)}`);
  return result.value;
};

const good: StaffDraft = { name: 'Ann Smith', email: 'Ann.Smith@Example.ORG', department: 'Sales', jobRoles: ['Account-Manager'] };

describe('staff statuses', () => {
  it('are joiner, active and leaver', () => {
    expect(STAFF_STATUSES).toEqual(['joiner', 'active', 'leaver']);
  });
});

describe('validateStaff', () => {
  it('normalises a minimal member: e-mail and slugs lower-cased, status active, nothing invented', () => {
    expect(validateStaff(good)).toEqual({ ok: true, value: { name: 'Ann Smith', email: 'ann.smith@example.org', department: 'sales', jobRoles: ['account-manager'], status: 'active' } });
  });

  it('keeps every optional field of a full member, trimmed', () => {
    const full: StaffInput = {
      name: '  Bo Li ',
      email: ' bo@example.org ',
      department: ' Finance ',
      jobRoles: [' Controller ', 'AP-clerk'],
      managerId: 'stf_42',
      status: 'joiner',
      startDate: '2026-04-01',
      endDate: '2027-03-31',
      principalId: 'prn_bo',
      externalId: 'HR-0007',
    };
    expect(valueOf(validateStaff(full))).toEqual({
      name: 'Bo Li',
      email: 'bo@example.org',
      department: 'finance',
      jobRoles: ['controller', 'ap-clerk'],
      managerId: 'stf_42',
      status: 'joiner',
      startDate: '2026-04-01',
      endDate: '2027-03-31',
      principalId: 'prn_bo',
      externalId: 'HR-0007',
    });
  });

  it('drops job roles that repeat once normalised, keeping the first position', () => {
    expect(valueOf(validateStaff({ ...good, jobRoles: ['Sales', 'support', 'sales ', 'SUPPORT', 'ops'] })).jobRoles).toEqual(['sales', 'support', 'ops']);
  });

  it.each([
    ['omitted', undefined],
    ['null', null],
    ['empty', []],
  ])('takes %s job roles as none', (_name, jobRoles) => {
    expect(valueOf(validateStaff({ ...good, jobRoles })).jobRoles).toEqual([]);
  });

  it('reads null optional fields as absent', () => {
    expect(validateStaff({ ...good, managerId: null, status: null, startDate: null, endDate: null, principalId: null, externalId: null })).toEqual(validateStaff(good));
  });

  it.each([
    ['STATUS in capitals', 'LEAVER', 'leaver'],
    ['padded status', ' joiner ', 'joiner'],
    ['active', 'active', 'active'],
  ])('normalises %s', (_name, status, expected) => {
    expect(valueOf(validateStaff({ ...good, status, endDate: '2026-01-31' })).status).toBe(expected);
  });

  it.each([
    ['63 characters', 'a'.repeat(63), true],
    ['64 characters', 'a'.repeat(64), false],
    ['a leading digit', '2nd-line', true],
    ['a leading hyphen', '-sales', false],
    ['a space inside', 'sales team', false],
    ['an underscore', 'sales_team', false],
    ['an accent', 'vertrieb-süd', false],
  ])('department slug with %s is valid: %s', (_name, department, valid) => {
    expect(validateStaff({ ...good, department }).ok).toBe(valid);
  });

  it.each([
    ['200 characters', 'x'.repeat(200), true],
    ['201 characters', 'x'.repeat(201), false],
    ['one character', 'X', true],
  ])('name of %s is valid: %s', (_name, name, valid) => {
    expect(validateStaff({ ...good, name }).ok).toBe(valid);
  });

  it.each<[string, StaffDraft, string, string]>([
    ['missing name', { ...good, name: undefined }, 'name', 'is required'],
    ['blank name', { ...good, name: '   ' }, 'name', 'must not be blank'],
    ['name not text', { ...good, name: 7 }, 'name', 'must be text'],
    ['long name', { ...good, name: 'x'.repeat(201) }, 'name', 'must be 1 to 200 characters'],
    ['missing e-mail', { ...good, email: undefined }, 'email', 'is required'],
    ['invalid e-mail', { ...good, email: 'ann at example.org' }, 'email', 'is not a valid e-mail address'],
    ['missing department', { ...good, department: undefined }, 'department', 'is required'],
    ['department not a slug', { ...good, department: 'Sales Team' }, 'department', '"Sales Team" is not a lower-case slug (a-z, 0-9 and -, at most 63, starting with a letter or digit)'],
    ['job roles not a list', { ...good, jobRoles: 'sales' }, 'jobRoles', 'must be a list of job roles'],
    ['job role not text', { ...good, jobRoles: ['sales', 3] }, 'jobRoles[1]', 'must be text'],
    ['job role not a slug', { ...good, jobRoles: ['ok', 'Head of Sales'] }, 'jobRoles[1]', '"Head of Sales" is not a lower-case slug (a-z, 0-9 and -, at most 63, starting with a letter or digit)'],
    ['unknown status', { ...good, status: 'retired' }, 'status', 'must be one of joiner, active, leaver'],
    ['impossible start date', { ...good, startDate: '2026-02-30' }, 'startDate', 'must be a date (YYYY-MM-DD)'],
    ['start date with a time', { ...good, startDate: '2026-02-03T00:00:00Z' }, 'startDate', 'must be a date (YYYY-MM-DD)'],
    ['impossible end date', { ...good, endDate: '2026-13-01' }, 'endDate', 'must be a date (YYYY-MM-DD)'],
    ['end before start', { ...good, startDate: '2026-03-02', endDate: '2026-03-01' }, 'endDate', 'must not be before startDate'],
    ['leaver without end date', { ...good, status: 'leaver' }, 'endDate', 'is required for a leaver'],
    ['malformed manager id', { ...good, managerId: 'stf 42' }, 'managerId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['malformed principal id', { ...good, principalId: 'prn/bo' }, 'principalId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['over-long external id', { ...good, externalId: 'x'.repeat(129) }, 'externalId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['blank external id', { ...good, externalId: ' ' }, 'externalId', 'must not be blank'],
  ])('reports %s as its only problem', (_name, input, field, message) => {
    expect(problemsOf(validateStaff(input))).toEqual([{ field, message }]);
  });

  it.each([
    ['same day', '2026-03-02', '2026-03-02'],
    ['later', '2026-03-02', '2026-03-03'],
  ])('accepts an end date on the %s as the start', (_name, startDate, endDate) => {
    expect(validateStaff({ ...good, startDate, endDate }).ok).toBe(true);
  });

  it('accepts a member still active with an end date ahead (serving notice)', () => {
    expect(valueOf(validateStaff({ ...good, status: 'active', endDate: '2026-06-30' })).endDate).toBe('2026-06-30');
  });

  it('reports every problem at once, under the path given', () => {
    const result = validateStaff({ name: '', email: 'nope', department: '-x', jobRoles: ['A B', 1], status: 'leaver', managerId: 'a b' }, 'staff[3].');
    expect(problemsOf(result).map((p) => p.field)).toEqual([
      'staff[3].name',
      'staff[3].email',
      'staff[3].department',
      'staff[3].jobRoles[0]',
      'staff[3].jobRoles[1]',
      'staff[3].endDate',
      'staff[3].managerId',
    ]);
  });

  it('does not report a missing end date twice when a leaver gives a malformed one', () => {
    expect(problemsOf(validateStaff({ ...good, status: 'leaver', endDate: '31/03/2026' }))).toEqual([{ field: 'endDate', message: 'must be a date (YYYY-MM-DD)' }]);
  });
});

describe('parseStaffRow', () => {
  const row = { externalId: 'HR-1', name: 'Ann Smith', email: 'ANN@example.org', department: 'Sales', jobRoles: 'account-manager', managerExternalId: 'HR-9', status: '', startDate: '2024-05-01', endDate: '' };

  it('turns a good row into a member and the manager HR id, blank cells absent', () => {
    expect(parseStaffRow(2, row)).toEqual({
      problems: [],
      row: {
        member: { externalId: 'HR-1', name: 'Ann Smith', email: 'ann@example.org', department: 'sales', jobRoles: ['account-manager'], status: 'active', startDate: '2024-05-01' },
        managerExternalId: 'HR-9',
      },
    });
  });

  it('leaves the manager out when the column is blank or missing', () => {
    expect(parseStaffRow(2, { ...row, managerExternalId: '  ' }).row).toEqual({ member: expect.objectContaining({ externalId: 'HR-1' }) });
    const { managerExternalId: _omitted, ...withoutManager } = row;
    expect(parseStaffRow(2, withoutManager).row).not.toHaveProperty('managerExternalId');
  });

  it.each([
    ['semicolons', 'sales;support;ops', ['sales', 'support', 'ops']],
    ['pipes', 'sales|support|ops', ['sales', 'support', 'ops']],
    ['both mixed', 'sales;support|ops', ['sales', 'support', 'ops']],
    ['padding and capitals', ' Sales ; Support | OPS ', ['sales', 'support', 'ops']],
    ['a trailing separator', 'sales;', ['sales']],
    ['empty pieces', ';;sales||support;', ['sales', 'support']],
    ['one role', 'sales', ['sales']],
    ['an empty cell', '', []],
    ['only separators', ' ; | ', []],
    ['repeats', 'sales;Sales|SALES', ['sales']],
    ['no comma splitting', 'sales,support', undefined],
  ])('splits CSV job roles with %s', (_name, jobRoles, expected) => {
    const parsed = parseStaffRow(4, { ...row, jobRoles });
    expect(parsed.row?.member.jobRoles).toEqual(expected);
  });

  it('reads JSON Lines job roles as a list or as the same text form', () => {
    expect(parseStaffRow(1, { ...row, jobRoles: ['Sales', 'support'] }).row?.member.jobRoles).toEqual(['sales', 'support']);
    expect(parseStaffRow(1, { ...row, jobRoles: 'Sales|support' }).row?.member.jobRoles).toEqual(['sales', 'support']);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['missing externalId', { ...row, externalId: '' }, 'externalId', 'is required (the id in your HR system)'],
    ['malformed externalId', { ...row, externalId: 'HR 1' }, 'externalId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['missing name', { ...row, name: ' ' }, 'name', 'is required'],
    ['bad e-mail', { ...row, email: 'ann@' }, 'email', 'is not a valid e-mail address'],
    ['missing department', { ...row, department: '' }, 'department', 'is required'],
    ['department not a slug', { ...row, department: 'R&D' }, 'department', '"R&D" is not a lower-case slug (a-z, 0-9 and -, at most 63, starting with a letter or digit)'],
    ['job role not a slug, named by column', { ...row, jobRoles: 'sales;Key Account' }, 'jobRoles', '"Key Account" is not a lower-case slug (a-z, 0-9 and -, at most 63, starting with a letter or digit)'],
    ['JSON job role not text', { ...row, jobRoles: ['sales', null] }, 'jobRoles', 'must be text'],
    ['JSON job roles neither list nor text', { ...row, jobRoles: 3 }, 'jobRoles', 'must be a list of job roles'],
    ['malformed manager id', { ...row, managerExternalId: 'HR 9' }, 'managerExternalId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['JSON manager id not text', { ...row, managerExternalId: 9 }, 'managerExternalId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['own manager', { ...row, managerExternalId: ' HR-1 ' }, 'managerExternalId', 'must not be the member themselves'],
    ['unknown status', { ...row, status: 'contractor' }, 'status', 'must be one of joiner, active, leaver'],
    ['bad start date', { ...row, startDate: '01.05.2024' }, 'startDate', 'must be a date (YYYY-MM-DD)'],
    ['bad end date', { ...row, endDate: '2024-02-30' }, 'endDate', 'must be a date (YYYY-MM-DD)'],
    ['end before start', { ...row, endDate: '2024-04-30' }, 'endDate', 'must not be before startDate'],
    ['leaver without end date', { ...row, status: 'Leaver' }, 'endDate', 'is required for a leaver'],
    ['JSON name not text', { ...row, name: 42 }, 'name', 'must be text'],
    ['unknown column', { ...row, salary: '100' }, 'salary', 'is not a known column'],
    ['directory id as a column', { ...row, managerId: 'stf_1' }, 'managerId', 'is not a known column'],
    ['principal id as a column', { ...row, principalId: 'prn_1' }, 'principalId', 'is not a known column'],
  ])('reports %s by line and field, and no row', (_name, raw, field, reason) => {
    expect(parseStaffRow(7, raw)).toEqual({ problems: [{ line: 7, field, reason }] });
  });

  it('reports every problem of a row at once, each with its line', () => {
    const { row: parsed, problems } = parseStaffRow(12, { externalId: 'E1', managerExternalId: 'E1', name: '', email: 'x', department: 'A B', jobRoles: 'ok;N O', status: 'gone', startDate: '2024-13-01', endDate: 'soon', team: 'blue' });
    expect(parsed).toBeUndefined();
    expect(problems.every((p) => p.line === 12)).toBe(true);
    expect(problems.map((p) => p.field)).toEqual(['team', 'managerExternalId', 'name', 'email', 'department', 'jobRoles', 'status', 'startDate', 'endDate']);
  });

  it('imports a CSV file row by row, pointing problems at the file line', () => {
    const text = [
      'externalId,name,email,department,jobRoles,managerExternalId,status,startDate,endDate',
      'HR-1,Ann Smith,ann@example.org,sales,account-manager;team-lead,,active,2020-01-06,',
      'HR-2,"Li, Bo",bo@example.org,Sales,account-manager,HR-1,joiner,2026-04-01,',
      'HR-3,Cy,cy@example,finance,,HR-1,leaver,,',
    ].join('\r\n');
    const results = csvRecords(text).map((r) => parseStaffRow(r.line, r.record));
    expect(results[0].row).toEqual({ member: { externalId: 'HR-1', name: 'Ann Smith', email: 'ann@example.org', department: 'sales', jobRoles: ['account-manager', 'team-lead'], status: 'active', startDate: '2020-01-06' } });
    expect(results[1].row).toEqual({ member: { externalId: 'HR-2', name: 'Li, Bo', email: 'bo@example.org', department: 'sales', jobRoles: ['account-manager'], status: 'joiner', startDate: '2026-04-01' }, managerExternalId: 'HR-1' });
    expect(results[2]).toEqual({
      problems: [
        { line: 4, field: 'email', reason: 'is not a valid e-mail address' },
        { line: 4, field: 'endDate', reason: 'is required for a leaver' },
      ],
    });
  });
});

describe('receivesAssignments', () => {
  it.each<[string, { status: 'joiner' | 'active' | 'leaver'; endDate?: string }, string, boolean]>([
    ['an active member', { status: 'active' }, '2026-03-02T09:00:00Z', true],
    ['a joiner', { status: 'joiner' }, '2026-03-02T09:00:00Z', true],
    ['a leaver', { status: 'leaver', endDate: '2026-03-01' }, '2026-03-02T09:00:00Z', false],
    ['a leaver whose last day is ahead', { status: 'leaver', endDate: '2026-12-31' }, '2026-03-02T09:00:00Z', false],
    ['a leaver without an end date', { status: 'leaver' }, '2026-03-02T09:00:00Z', false],
    ['an active member on their last day', { status: 'active', endDate: '2026-03-02' }, '2026-03-02T23:59:59.999Z', true],
    ['an active member the day after their last', { status: 'active', endDate: '2026-03-01' }, '2026-03-02T00:00:00Z', false],
    ['a joiner whose end date passed', { status: 'joiner', endDate: '2026-03-01' }, '2026-03-02T00:00:00Z', false],
    ['a member whose last day is ahead', { status: 'active', endDate: '2026-06-30' }, '2026-03-02T09:00:00Z', true],
    ['a member whose last day is the UTC date of a local morning', { status: 'active', endDate: '2026-03-01' }, '2026-03-02T00:30:00+02:00', true],
    ['a member whose end passed in UTC though not locally', { status: 'active', endDate: '2026-03-01' }, '2026-03-01T23:30:00-02:00', false],
  ])('%s: %s', (_name, member, on, expected) => {
    expect(receivesAssignments(member, on)).toBe(expected);
  });

  it.each(['2026-03-02', '2026-03-02T09:00:00', 'yesterday'])('refuses %s as an instant', (on) => {
    expect(() => receivesAssignments({ status: 'active' }, on)).toThrow(RangeError);
  });
});
