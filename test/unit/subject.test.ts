import { EEA_COUNTRIES, ISO_COUNTRIES, isSubdivisionOf } from '../../domain/countries';
import { isTimeZone, normaliseEmail, normalisePhone, validateSubject, type SubjectInput, type SubjectProblem, type Validated } from '../../domain/subject';

const problemsOf = (result: Validated<SubjectInput>): SubjectProblem[] => (result.ok ? [] : result.problems);
const fieldsOf = (result: Validated<SubjectInput>): string[] => problemsOf(result).map((p) => p.field);
const valueOf = (result: Validated<SubjectInput>): SubjectInput => {
  if (!result.ok) throw new Error(`expected a valid subject, got ${JSON.stringify(result.problems)}`);
  return result.value;
};

describe('country data', () => {
  it('holds the 249 officially assigned ISO 3166-1 alpha-2 codes, all two upper-case letters', () => {
    expect(ISO_COUNTRIES.size).toBe(249);
    for (const code of ISO_COUNTRIES) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it('holds the 30 EEA members, each an ISO code', () => {
    expect(EEA_COUNTRIES.size).toBe(30);
    for (const code of EEA_COUNTRIES) expect(ISO_COUNTRIES.has(code)).toBe(true);
  });

  it.each([
    ['UK', false, 'the United Kingdom is GB; UK is only exceptionally reserved'],
    ['XK', false, 'Kosovo: user-assigned, not an ISO code'],
    ['EU', false, 'exceptionally reserved, not a country'],
    ['AQ', true, 'Antarctica'],
    ['GB', true, 'the United Kingdom'],
    ['SS', true, 'South Sudan'],
  ])('ISO_COUNTRIES has %s: %s (%s)', (code, expected) => {
    expect(ISO_COUNTRIES.has(code)).toBe(expected);
  });

  it.each([
    ['US-CA', 'US', true],
    ['GB-ENG', 'GB', true],
    ['FR-75C', 'FR', true],
    ['DE-BE', 'DE', true],
    ['CA-QC', 'CA', true],
    ['BR-SP', 'BR', true],
    ['US-CA', 'DE', false],
    ['US-CA', 'CA', false],
    ['US', 'US', false],
    ['US-', 'US', false],
    ['US-CALI', 'US', false],
    ['US_CA', 'US', false],
    ['us-ca', 'US', false],
    ['USA-CA', 'US', false],
    ['US-C@', 'US', false],
  ])('isSubdivisionOf(%s, %s) is %s', (region, country, expected) => {
    expect(isSubdivisionOf(region, country)).toBe(expected);
  });
});

describe('normaliseEmail', () => {
  it.each([
    ['Alice@Example.COM', 'alice@example.com'],
    ['  bob@example.org \n', 'bob@example.org'],
    ['\tCarol@Example.org\t', 'carol@example.org'],
    ['first.last+news@mail.example.co.uk', 'first.last+news@mail.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x@a-b.example', 'x@a-b.example'],
    ['x@1.example', 'x@1.example'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
    [`a@${'b'.repeat(63)}.com`, `a@${'b'.repeat(63)}.com`],
  ])('accepts %j as %j', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  it.each([
    ['no @', 'alice.example.com'],
    ['two @ in a row', 'alice@@example.com'],
    ['two @ apart', 'a@b@example.com'],
    ['a space in the local part', 'alice smith@example.com'],
    ['a space in the domain', 'alice@exa mple.com'],
    ['a space around the @', 'alice @example.com'],
    ['a non-breaking space', 'alice\u00a0x@example.com'],
    ['no dot in the domain (no TLD)', 'alice@localhost'],
    ['a leading hyphen in the first domain label', 'alice@-example.com'],
    ['a leading hyphen in a later domain label', 'alice@mail.-example.com'],
    ['a trailing hyphen in a domain label', 'alice@example-.com'],
    ['a local part of 65 characters', `${'a'.repeat(65)}@example.com`],
    ['a domain label of 64 characters', `a@${'b'.repeat(64)}.com`],
    ['a domain of more than 253 characters', `a@${Array.from({ length: 5 }, () => 'c'.repeat(60)).join('.')}.com`],
    ['an empty string', ''],
    ['only blanks', '   '],
    ['an empty local part', '@example.com'],
    ['an empty domain', 'alice@'],
    ['a domain starting with a dot', 'alice@.example.com'],
    ['two dots in the domain', 'alice@example..com'],
    ['a trailing dot', 'alice@example.com.'],
    ['an underscore in the domain', 'alice@exa_mple.com'],
    ['angle brackets', '<alice@example.com>'],
    ['a display name', 'Alice <alice@example.com>'],
    ['a comma', 'alice,bob@example.com'],
    ['a list of two addresses', 'alice@example.com;bob@example.com'],
  ])('refuses %s (%j)', (_why, input) => {
    expect(normaliseEmail(input)).toBeUndefined();
  });
});

describe('normalisePhone', () => {
  it.each([
    ['a Berlin landline', '030 1234567', 'DE', '+49301234567'],
    ['a German number with slash', '030/1234567', 'DE', '+49301234567'],
    ['a German number with the IDD prefix 00', '0049 30 1234567', 'DE', '+49301234567'],
    ['a German number written +49 (0)30', '+49 (0)30 1234567', 'DE', '+49301234567'],
    ['a US number', '(415) 555-2671', 'US', '+14155552671'],
    ['a US number with dots', '415.555.2671', 'US', '+14155552671'],
    ['a London landline', '020 7946 0018', 'GB', '+442079460018'],
    ['a UK mobile', '07911 123456', 'GB', '+447911123456'],
    ['a Paris landline', '01 23 45 67 89', 'FR', '+33123456789'],
    ['a French mobile', '06 12 34 56 78', 'FR', '+33612345678'],
    ['a Brazilian mobile (São Paulo, ninth digit)', '(11) 91234-5678', 'BR', '+5511912345678'],
    ['an E.164 number', '+49301234567', 'DE', '+49301234567'],
    ['an E.164 number with spacing', '+44 20 7946 0018', 'GB', '+442079460018'],
    ['an international number from another country than the subject', '+1 (415) 555-2671', 'DE', '+14155552671'],
    ['an E.164 number without a country', '+33 6 12 34 56 78', undefined, '+33612345678'],
    ['an E.164 number for a country libphonenumber has no metadata for', '+49301234567', 'AQ', '+49301234567'],
    ['a number with surrounding blanks', '  030 1234567 \n', 'DE', '+49301234567'],
  ])('reads %s: %j in %s as %s', (_what, input, country, expected) => {
    expect(normalisePhone(input, country)).toBe(expected);
  });

  it.each([
    ['too short', '12', 'DE'],
    ['too short', '415 555', 'US'],
    ['too short', '555-2671', 'US'],
    ['too short', '123', 'GB'],
    ['too short', '01 23 45', 'FR'],
    ['too short', '(11) 1234', 'BR'],
    ['too short', '+4930', 'DE'],
    ['only letters', 'abcdefg', 'DE'],
    ['letters (vanity number)', '030-CALL-NOW', 'DE'],
    ['a letter in place of a digit', '030 123456X', 'DE'],
    ['surrounding text', 'call 030 1234567', 'DE'],
    ['trailing text', '030 1234567 ask for Bob', 'DE'],
    ['a note in brackets', '+49 30 1234567 (office)', 'DE'],
    ['a tel: URI', 'tel:+49301234567', 'DE'],
    ['a German number read as US', '030 1234567', 'US'],
    ['a London number read as US', '020 7946 0018', 'US'],
    ['a US number read as GB', '(415) 555-2671', 'GB'],
    ['a French mobile read as GB', '06 12 34 56 78', 'GB'],
    ['a Brazilian mobile read as FR', '(11) 91234-5678', 'FR'],
    ['a national number without a country', '030 1234567', undefined],
    ['a national number in a non-ISO country', '030 1234567', 'UK'],
    ['a national number in a country without phone metadata', '030 1234567', 'AQ'],
    ['an unassigned country calling code', '+999 1234567', undefined],
    ['an empty string', '', 'DE'],
  ])('refuses %s: %j in %s', (_why, input, country) => {
    expect(normalisePhone(input, country)).toBeUndefined();
  });
});

describe('isTimeZone', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'America/Sao_Paulo', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC', 'Etc/GMT+5'])('accepts %s', (zone) => {
    expect(isTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Base', 'Europe/Atlantis', '', ' Europe/Berlin', 'Europe/Berlin ', 'GMT+25'])('refuses %j', (zone) => {
    expect(isTimeZone(zone)).toBe(false);
  });
});

describe('validateSubject', () => {
  it('normalises every field of a valid subject', () => {
    const input: SubjectInput = {
      name: '  Alice Example  ',
      email: ' Alice@Example.COM ',
      phone: '030 1234567',
      address: { lines: ['Unter den Linden 1'], city: 'Berlin', postalCode: '10117', country: 'de' },
      country: ' de ',
      region: 'de-be',
      externalId: 'crm:contact-42',
      timeZone: 'Europe/Berlin',
    };
    const before = structuredClone(input);
    expect(validateSubject(input)).toEqual({
      ok: true,
      value: {
        name: 'Alice Example',
        email: 'alice@example.com',
        phone: '+49301234567',
        address: { lines: ['Unter den Linden 1'], city: 'Berlin', postalCode: '10117', country: 'DE' },
        country: 'DE',
        region: 'DE-BE',
        externalId: 'crm:contact-42',
        timeZone: 'Europe/Berlin',
      },
    });
    expect(input).toEqual(before);
  });

  it('returns only the fields it was given', () => {
    expect(Object.keys(valueOf(validateSubject({ country: 'FR', email: 'a@example.fr' }))).sort()).toEqual(['country', 'email']);
  });

  it.each([
    ['DE', '030 1234567', '+49301234567'],
    ['US', '(415) 555-2671', '+14155552671'],
    ['us', '(415) 555-2671', '+14155552671'],
    ['GB', '020 7946 0018', '+442079460018'],
    ['gb', '07911 123456', '+447911123456'],
    ['FR', '06 12 34 56 78', '+33612345678'],
    ['BR', '(11) 91234-5678', '+5511912345678'],
    ['DE', '+1 415 555 2671', '+14155552671'],
  ])('reads a phone number in country %s: %j → %s', (country, phone, expected) => {
    expect(valueOf(validateSubject({ country, phone })).phone).toBe(expected);
  });

  it.each([
    ['030 1234567', 'US'],
    ['(415) 555-2671', 'GB'],
    ['12', 'DE'],
    ['030 123456X', 'DE'],
  ])('refuses phone %j in %s, naming the country', (phone, country) => {
    expect(problemsOf(validateSubject({ country, phone }))).toEqual([
      { field: 'phone', message: `is not a valid phone number for ${country} (use +<country code><number>)` },
    ]);
  });

  describe('country', () => {
    it.each([
      ['DE', 'DE'],
      ['de', 'DE'],
      ['Fr', 'FR'],
      [' gb ', 'GB'],
      ['AQ', 'AQ'],
      ['aq', 'AQ'],
      ['US', 'US'],
    ])('accepts %j as %s', (country, expected) => {
      expect(valueOf(validateSubject({ country, email: 'a@example.com' })).country).toBe(expected);
    });

    it.each(['UK', 'uk', 'XK', 'EU', 'DEU', 'D', 'ZZ', '12'])('refuses %j, quoting it', (country) => {
      expect(problemsOf(validateSubject({ country, email: 'a@example.com' }))).toEqual([
        { field: 'country', message: `"${country}" is not an ISO 3166-1 alpha-2 country code` },
      ]);
    });

    it.each(['', '   '])('requires one (%j)', (country) => {
      expect(problemsOf(validateSubject({ country, email: 'a@example.com' }))).toEqual([{ field: 'country', message: 'is required (ISO 3166-1 alpha-2, e.g. DE)' }]);
    });

    it('requires one when the property is missing altogether (untyped input)', () => {
      expect(fieldsOf(validateSubject({ email: 'a@example.com' } as SubjectInput))).toEqual(['country']);
    });
  });

  describe('region', () => {
    it.each([
      ['US', 'US-CA', 'US-CA'],
      ['US', 'us-ca', 'US-CA'],
      ['us', ' US-NY ', 'US-NY'],
      ['GB', 'GB-ENG', 'GB-ENG'],
      ['FR', 'FR-75C', 'FR-75C'],
      ['DE', 'DE-BY', 'DE-BY'],
      ['CA', 'CA-QC', 'CA-QC'],
    ])('accepts a subdivision of %s: %j → %s', (country, region, expected) => {
      expect(valueOf(validateSubject({ country, region, email: 'a@example.com' })).region).toBe(expected);
    });

    it.each([
      ['DE', 'US-CA', 'a subdivision of another country'],
      ['CA', 'US-CA', 'California, not Canada'],
      ['US', 'CA', 'a bare code'],
      ['US', 'California', 'a name'],
      ['US', 'US-', 'no subdivision part'],
      ['US', 'US-CALI', 'a subdivision part of four characters'],
      ['US', 'US_CA', 'an underscore'],
      ['US', 'USA-CA', 'an alpha-3 country'],
      ['US', '', 'an empty string'],
    ])('refuses %s region %j (%s)', (country, region) => {
      expect(problemsOf(validateSubject({ country, region, email: 'a@example.com' }))).toEqual([
        { field: 'region', message: `must be an ISO 3166-2 code of ${country} (e.g. ${country}-CA)` },
      ]);
    });

    it('still reports a malformed region when the country is missing', () => {
      expect(problemsOf(validateSubject({ country: '', region: 'California', email: 'a@example.com' }))).toEqual([
        { field: 'country', message: 'is required (ISO 3166-1 alpha-2, e.g. DE)' },
        { field: 'region', message: 'must be an ISO 3166-2 code of the country (e.g. US-CA)' },
      ]);
    });

    it('reports only the missing country when the region is well formed', () => {
      expect(fieldsOf(validateSubject({ country: '', region: 'US-CA', email: 'a@example.com' }))).toEqual(['country']);
    });
  });

  describe('time zone', () => {
    it.each(['Europe/Berlin', 'America/Los_Angeles', 'UTC'])('accepts %s', (timeZone) => {
      expect(valueOf(validateSubject({ country: 'DE', email: 'a@example.com', timeZone })).timeZone).toBe(timeZone);
    });

    it.each(['Mars/Base', 'Berlin/Europe', ''])('refuses %j', (timeZone) => {
      expect(problemsOf(validateSubject({ country: 'DE', email: 'a@example.com', timeZone }))).toEqual([
        { field: 'timeZone', message: 'is not an IANA time zone (e.g. Europe/Berlin)' },
      ]);
    });
  });

  describe('externalId', () => {
    it.each(['crm-42', 'hubspot:contact:123', 'A_b.c-d:9', '0', 'x'.repeat(128)])('accepts %j', (externalId) => {
      expect(valueOf(validateSubject({ country: 'DE', email: 'a@example.com', externalId })).externalId).toBe(externalId);
    });

    it.each(['', 'has space', ' crm-42', 'x'.repeat(129), 'müller', 'a/b', 'a#b', 'a@b', 'line\nbreak'])('refuses %j', (externalId) => {
      expect(problemsOf(validateSubject({ country: 'DE', email: 'a@example.com', externalId }))).toEqual([
        { field: 'externalId', message: 'must be 1 to 128 letters, digits or _ : . -' },
      ]);
    });
  });

  describe('name', () => {
    it.each([
      ['  Zoë  ', 'Zoë'],
      ['A', 'A'],
      ['n'.repeat(200), 'n'.repeat(200)],
    ])('accepts %j as %j', (name, expected) => {
      expect(valueOf(validateSubject({ country: 'DE', email: 'a@example.com', name })).name).toBe(expected);
    });

    it.each(['', '   ', 'n'.repeat(201)])('refuses %j', (name) => {
      expect(problemsOf(validateSubject({ country: 'DE', email: 'a@example.com', name }))).toEqual([{ field: 'name', message: 'must be 1 to 200 characters' }]);
    });
  });

  describe('address', () => {
    it('upper-cases the address country and keeps the rest as given', () => {
      expect(valueOf(validateSubject({ country: 'FR', email: 'a@example.fr', address: { lines: ['1 rue de Rivoli'], city: 'Paris', postalCode: '75001', country: 'fr' } })).address).toEqual({
        lines: ['1 rue de Rivoli'],
        city: 'Paris',
        postalCode: '75001',
        country: 'FR',
      });
    });

    it('accepts an address without a country', () => {
      expect(valueOf(validateSubject({ country: 'FR', email: 'a@example.fr', address: { city: 'Paris' } })).address).toEqual({ city: 'Paris' });
    });

    it.each(['UK', 'XK', 'France'])('refuses address country %j', (country) => {
      expect(problemsOf(validateSubject({ country: 'GB', email: 'a@example.com', address: { city: 'London', country } }))).toEqual([
        { field: 'address.country', message: 'is not an ISO 3166-1 alpha-2 country code' },
      ]);
    });
  });

  describe('contact details', () => {
    it.each([
      ['an e-mail address only', { email: 'a@example.com' }],
      ['a phone number only', { phone: '+49301234567' }],
      ['both', { email: 'a@example.com', phone: '+49301234567' }],
    ])('accepts %s', (_what, contact) => {
      expect(validateSubject({ country: 'DE', ...contact }).ok).toBe(true);
    });

    it('requires an e-mail address or a phone number', () => {
      expect(problemsOf(validateSubject({ country: 'DE', name: 'Alice' }))).toEqual([
        { field: 'email', message: 'an e-mail address or a phone number is required to contact the subject' },
      ]);
    });

    it('reports an invalid e-mail address as invalid, not as missing', () => {
      expect(problemsOf(validateSubject({ country: 'DE', email: 'alice@localhost' }))).toEqual([{ field: 'email', message: 'is not a valid e-mail address' }]);
    });

    it('refuses a subject whose one valid channel sits next to an invalid one', () => {
      expect(fieldsOf(validateSubject({ country: 'DE', email: 'alice@localhost', phone: '+49301234567' }))).toEqual(['email']);
      expect(fieldsOf(validateSubject({ country: 'DE', email: 'a@example.com', phone: '12' }))).toEqual(['phone']);
    });

    it('reports both when both are invalid', () => {
      expect(fieldsOf(validateSubject({ country: 'DE', email: 'no-at-sign', phone: 'abc' }))).toEqual(['email', 'phone']);
    });
  });

  describe('every problem at once', () => {
    const bad: SubjectInput = {
      name: ' ',
      email: 'alice@@example.com',
      phone: 'call me',
      address: { country: 'UK' },
      country: 'UK',
      region: 'England',
      externalId: 'has space',
      timeZone: 'Mars/Base',
    };
    const expected = ['country', 'region', 'name', 'email', 'phone', 'address.country', 'timeZone', 'externalId'];

    it('reports each bad field once, by field', () => {
      expect(fieldsOf(validateSubject(bad))).toEqual(expected);
    });

    it.each(['rows[3].', 'rows[0].', 'subjects[12].'])('prefixes every field with the path %j for import rows', (path) => {
      const result = validateSubject(bad, path);
      expect(fieldsOf(result)).toEqual(expected.map((field) => `${path}${field}`));
      expect(problemsOf(result).map((p) => p.message)).toEqual(problemsOf(validateSubject(bad)).map((p) => p.message));
    });

    it('prefixes the missing-contact problem too', () => {
      expect(fieldsOf(validateSubject({ country: 'XK' }, 'rows[3].'))).toEqual(['rows[3].country', 'rows[3].email']);
    });
  });
});
