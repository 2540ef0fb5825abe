import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

// CSPRNG bytes drawn 4 KiB at a time: one call into the system's generator per ~100 ids instead of
// one per id (every request gets an id). Each byte is used once.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** Unbiased base62 from random bytes: bytes >= 248 (4 * 62) are dropped rather than wrapped. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    if (byte < 248) out += ALPHABET[byte % 62];
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

/**
 * High-entropy secrets need no salt or slow hash: a plain SHA-256 cannot be brute-forced back.
 * (The one-shot `hash` saves building a Hash object on every MCP request.)
 */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** How secrets are shown when they must be mentioned at all: `••••9f3a`. */
export function maskSecret(secret: string): string {
  return `••••${secret.slice(-4)}`;
}

/** Whether two secrets (or their hashes) are equal, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
