import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring tokens for links sent to people (double opt-in confirmation, preference centre, one-click
 * withdrawal): `<base64url JSON payload>.<base64url HMAC-SHA256>`. No login is needed to use one, so the signature is
 * the whole of the security: a tampered payload or an expired token is refused. Pure: the key and the time come in.
 */
export interface LinkClaims {
  /** What the link lets its holder do. */
  act: 'confirm' | 'preferences' | 'withdraw' | 'questionnaire';
  /** Subject id. */
  sub: string;
  /** Purpose id(s) the link is about, where it is about specific ones. */
  pur?: string[];
  /** The event the link belongs to (e.g. the double opt-in request). */
  ref?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type TokenCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export function signToken(claims: LinkClaims, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(payload, key)}`;
}

export function verifyToken(token: string, key: Buffer, nowSeconds: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]+$/.test(parts[0]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[1])) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(parts[0], key), 'base64url');
  if (!timingSafeEqual(expected, Buffer.from(parts[1], 'base64url'))) return { ok: false, reason: 'bad-signature' };
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || typeof claims.act !== 'string') return { ok: false, reason: 'malformed' };
  if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

function mac(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
