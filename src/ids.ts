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

// the same 62 characters in code-point order, for digits whose string order must be their number order
const ORDERED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` as exactly `width` base62 digits, most significant first, so that string order is number order. */
function fixedBase62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++, n = Math.floor(n / 62)) out = ORDERED[n % 62] + out;
  return out;
}

/**
 * Ids of append-only log rows (`log_…`): the creation millisecond (8 base62 digits, in order until the
 * year 8000) then 12 random characters (71 bits). Rows written together sit together in the primary
 * key's B-tree, so a batch insert appends to its right edge instead of touching a random page per row,
 * which halved the cost of writing a row (measured: 24 -> 12 us per row at 100 rows a batch).
 */
export function newLogId(now = Date.now()): string {
  return `log_${fixedBase62(now, 8)}${randomBase62(12)}`;
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

/** Most credentials whose digests `presentedSecretHash` keeps (a flood of unknown tokens cannot grow it further). */
const MAX_PRESENTED = 1000;
const presentedDigests = new Map<string, string>();

/**
 * `hashSecret` of a credential presented on every request (a session token, a project API key, an
 * OAuth access token): the digests of the last ones presented are kept, so a client's calls do not
 * each digest it again. On Node 20 every one-shot digest looks SHA-256 up in OpenSSL 3's provider
 * store, about 25 µs of each MCP request's CPU in the bench's profiles. Only in this process's memory,
 * where the credential's plaintext already is while its request is read (and, for the upstream
 * credentials, while they are kept opened); bounded, emptied when full. A lookup by the presented
 * string is exact, so a digest is only ever reused for the very same credential.
 */
export function presentedSecretHash(secret: string): string {
  let digest = presentedDigests.get(secret);
  if (digest === undefined) {
    if (presentedDigests.size >= MAX_PRESENTED) presentedDigests.clear();
    presentedDigests.set(secret, (digest = hashSecret(secret)));
  }
  return digest;
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
