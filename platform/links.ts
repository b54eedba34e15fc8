import { hkdfSync } from 'node:crypto';
import { signToken, verifyToken, type LinkClaims, type TokenCheck } from '../domain/signed-token';
import type { Keyring } from './keyring';

/**
 * Links sent to people. The signing key is derived from the blind-index key (HKDF with its own label), so there is
 * no extra secret to configure and the two uses can never be confused.
 */
export class LinkSigner {
  private readonly key: Buffer;

  constructor(
    keyring: Keyring,
    private readonly baseUrl: string,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', keyring.blindIndexKey, Buffer.alloc(0), 'complyflow links v1', 32));
  }

  token(claims: LinkClaims): string {
    return signToken(claims, this.key);
  }

  check(token: string, now = Date.now()): TokenCheck {
    return verifyToken(token, this.key, Math.floor(now / 1000));
  }

  url(path: string, claims: LinkClaims): string {
    return `${this.baseUrl}${path}?token=${this.token(claims)}`;
  }
}
