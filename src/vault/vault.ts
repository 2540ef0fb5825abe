import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { VaultKey } from './key-ring.ts';

/**
 * Seals secrets at rest with AES-256-GCM. A sealed value is `v1.<keyId>.<base64url(iv | tag | ciphertext)>`:
 * a fresh 96-bit IV per seal, the key id in clear so rotation can find and re-encrypt old values, and the
 * caller's associated data (the row the value belongs to) bound in, so a ciphertext copied to another row
 * fails to open.
 */
export class VaultError extends Error {
  override name = 'VaultError';
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class Vault {
  private readonly keys: Map<string, Buffer>;
  readonly currentKeyId: string;

  constructor(ring: VaultKey[]) {
    if (ring.length === 0) throw new VaultError('a vault needs at least one key');
    this.keys = new Map(ring.map((k) => [k.id, k.key]));
    this.currentKeyId = ring[0]!.id;
  }

  seal(plaintext: string, associatedData: string): string {
    const key = this.keys.get(this.currentKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const header = `${VERSION}.${this.currentKeyId}.`;
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(header + associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return header + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  }

  /** Throws VaultError (with no detail about the secret) when the value was tampered with, moved, or its key is gone. */
  open(sealed: string, associatedData: string): string {
    const { keyId, payload } = parseSealed(sealed);
    const key = this.keys.get(keyId);
    if (!key) throw new VaultError(`no key with id ${keyId} in the key ring`);
    if (payload.length < IV_BYTES + TAG_BYTES) throw new VaultError('sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, payload.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(`${VERSION}.${keyId}.${associatedData}`, 'utf8'));
      decipher.setAuthTag(payload.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(payload.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new VaultError('sealed value failed authentication (tampered, moved to another row, or sealed under another key)');
    }
  }

  /** JSON convenience for credential objects. */
  sealJson(value: unknown, associatedData: string): string {
    return this.seal(JSON.stringify(value), associatedData);
  }

  openJson<T>(sealed: string, associatedData: string): T {
    return JSON.parse(this.open(sealed, associatedData)) as T;
  }

  /** The ids of the ring, the encrypting one first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The id of the key a value was sealed under (read from its header). */
  keyIdOf(sealed: string): string {
    return parseSealed(sealed).keyId;
  }

  isCurrent(sealed: string): boolean {
    return parseSealed(sealed).keyId === this.currentKeyId;
  }

  /** The prefix every value sealed under the current key starts with; storage uses it to find stale rows. */
  get currentPrefix(): string {
    return `${VERSION}.${this.currentKeyId}.`;
  }
}

function parseSealed(sealed: string): { keyId: string; payload: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1]) throw new VaultError('not a sealed value');
  return { keyId: parts[1], payload: Buffer.from(parts[2]!, 'base64url') };
}
