import { createHash } from 'node:crypto';

/** One encryption key of the ring. The id is stored with every ciphertext so any key of the ring can open it. */
export interface VaultKey {
  id: string;
  key: Buffer;
}

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * A bare key (no `id:`) gets an id derived from its own bytes, so the same key keeps the same id when an
 * operator later writes it after a new one (`new:…,<old bare key>`) and old ciphertexts still find it.
 */
/** The shape of a derived id: an operator writes such a key back bare, without `id:`. */
export const DERIVED_KEY_ID = /^k[0-9a-f]{8}$/;

export function keyIdFor(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
}

function decodeKey(text: string, position: number): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new KeyRingError(`key ${position} is not base64`);
  }
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new KeyRingError(
      `key ${position} decodes to ${key.length} bytes; AES-256-GCM needs exactly 32 (make one with \`npm run keys:generate\`)`,
    );
  }
  return key;
}

/**
 * Parses `key` or `id:key,id:key` (base64 of 32 bytes each). The first key encrypts; all of them open.
 * Messages name the position of a bad key, never its value.
 */
export function parseKeyRing(text: string): VaultKey[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new KeyRingError('no key given');
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    if (colon === -1) {
      const key = decodeKey(entry, i + 1);
      return { id: keyIdFor(key), key };
    }
    const id = entry.slice(0, colon);
    if (!KEY_ID.test(id)) throw new KeyRingError(`key ${i + 1} has an invalid id (letters, digits, _ and -, at most 32)`);
    return { id, key: decodeKey(entry.slice(colon + 1), i + 1) };
  });
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id)) throw new KeyRingError(`key id ${k.id} appears twice`);
    ids.add(k.id);
  }
  return keys;
}
