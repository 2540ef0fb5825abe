import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Unbiased base62 from random bytes: bytes >= 248 (4 * 62) are dropped rather than wrapped. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Public, non-secret ids: `ca_…`, `ac_…`, `trs_…`. 16 base62 characters (95 bits) never collide in practice. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase62(16)}`;
}

/** Secrets looked up by hash (API keys, link tokens, session tokens): 32 base62 characters, 190 bits. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBase62(32)}`;
}

/** High-entropy secrets need no salt or slow hash: a plain SHA-256 cannot be brute-forced back. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** How secrets are shown when they must be mentioned at all: `••••9f3a`. */
export function maskSecret(secret: string): string {
  return `••••${secret.slice(-4)}`;
}
