import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { ISO_COUNTRIES, isSubdivisionOf } from './countries';

/**
 * Data subjects: the people in the CRM whose consent is managed. Validation at entry — the "data validation" of the
 * source material — normalises what can be normalised (e-mail case, phone to E.164, country codes upper-case) and
 * reports every problem by field, so a form or an import row can show all of them at once.
 */
export interface SubjectInput {
  name?: string;
  email?: string;
  phone?: string;
  address?: { lines?: string[]; city?: string; postalCode?: string; country?: string };
  country: string;
  region?: string;
  /** The subject's id in the CRM, unique: it makes imports idempotent. */
  externalId?: string;
  /** IANA time zone the subject lives in, for deadlines and quiet hours. */
  timeZone?: string;
}

export interface SubjectProblem {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: SubjectProblem[] };

// Deliberately simple: one @, a dot in the domain, no spaces. Full RFC 5322 admits addresses no mail system routes;
// the double opt-in proves an address works, syntax only catches typos.
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normaliseEmail(email: string): string | undefined {
  const trimmed = email.trim();
  if (!EMAIL.test(trimmed)) return undefined;
  const at = trimmed.lastIndexOf('@');
  // Domains are case-insensitive; local parts technically are not, but every real mail system treats them so and
  // people type them inconsistently, so lower-case both for matching.
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1)}`.toLowerCase();
}

/**
 * E.164 (`+4930123456`), reading national numbers in the subject's country. The whole input must be the number:
 * libphonenumber's default is to extract a number from surrounding text, which would accept "030 1234567 ask for
 * Bob" and silently truncate "030 123456X" to a different, valid number.
 */
export function normalisePhone(phone: string, country: string | undefined): string | undefined {
  const defaultCountry = country && ISO_COUNTRIES.has(country) ? (country as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(phone.trim(), { defaultCountry, extract: false });
  return parsed && parsed.isValid() ? parsed.number : undefined;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function validateSubject(input: SubjectInput, path = ''): Validated<SubjectInput> {
  const problems: SubjectProblem[] = [];
  const at = (field: string) => `${path}${field}`;
  const country = input.country?.trim().toUpperCase();
  const value: SubjectInput = { country };
  if (!country) problems.push({ field: at('country'), message: 'is required (ISO 3166-1 alpha-2, e.g. DE)' });
  else if (!ISO_COUNTRIES.has(country)) problems.push({ field: at('country'), message: `"${input.country}" is not an ISO 3166-1 alpha-2 country code` });
  if (input.region !== undefined) {
    const region = input.region.trim().toUpperCase();
    // Without a country, at least the form is checked, so a malformed region is reported with the missing country.
    const valid = country ? isSubdivisionOf(region, country) : /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(region);
    if (!valid) problems.push({ field: at('region'), message: `must be an ISO 3166-2 code of ${country || 'the country'} (e.g. ${country || 'US'}-CA)` });
    else value.region = region;
  }
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) problems.push({ field: at('name'), message: 'must be 1 to 200 characters' });
    else value.name = name;
  }
  if (input.email !== undefined) {
    const email = normaliseEmail(input.email);
    if (!email) problems.push({ field: at('email'), message: 'is not a valid e-mail address' });
    else value.email = email;
  }
  if (input.phone !== undefined) {
    const phone = normalisePhone(input.phone, country);
    if (!phone) problems.push({ field: at('phone'), message: `is not a valid phone number${country ? ` for ${country}` : ''} (use +<country code><number>)` });
    else value.phone = phone;
  }
  if (!value.email && !value.phone && input.email === undefined && input.phone === undefined) {
    problems.push({ field: at('email'), message: 'an e-mail address or a phone number is required to contact the subject' });
  }
  if (input.address !== undefined) {
    const addressCountry = input.address.country?.trim().toUpperCase();
    if (addressCountry && !ISO_COUNTRIES.has(addressCountry)) problems.push({ field: at('address.country'), message: 'is not an ISO 3166-1 alpha-2 country code' });
    value.address = { ...input.address, ...(addressCountry && { country: addressCountry }) };
  }
  if (input.timeZone !== undefined) {
    if (!isTimeZone(input.timeZone)) problems.push({ field: at('timeZone'), message: 'is not an IANA time zone (e.g. Europe/Berlin)' });
    else value.timeZone = input.timeZone;
  }
  if (input.externalId !== undefined) {
    if (!/^[A-Za-z0-9_:.-]{1,128}$/.test(input.externalId)) problems.push({ field: at('externalId'), message: 'must be 1 to 128 letters, digits or _ : . -' });
    else value.externalId = input.externalId;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
