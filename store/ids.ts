import { randomBytes } from 'node:crypto';

/** Opaque random ids with a readable prefix (`prn_…`, `key_…`): they carry no personal data and can go anywhere. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}
