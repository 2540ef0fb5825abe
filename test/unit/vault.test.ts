import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyIdFor, parseKeyRing } from '../../src/vault/key-ring.ts';
import { Vault, VaultError } from '../../src/vault/vault.ts';

const key = () => randomBytes(32);

describe('vault', () => {
  it('opens what it sealed, with a fresh IV every time', () => {
    const vault = new Vault([{ id: 'a', key: key() }]);
    const one = vault.seal('gho_secret-token', 'connected_accounts.credentials_sealed:ca_1');
    const two = vault.seal('gho_secret-token', 'connected_accounts.credentials_sealed:ca_1');
    expect(one).not.toBe(two);
    expect(one).not.toContain('gho_secret-token');
    expect(one.startsWith('v1.a.')).toBe(true);
    expect(vault.open(one, 'connected_accounts.credentials_sealed:ca_1')).toBe('gho_secret-token');
    expect(vault.openJson(vault.sealJson({ access_token: 'x' }, 'r'), 'r')).toEqual({ access_token: 'x' });
  });

  it('refuses a tampered ciphertext', () => {
    const vault = new Vault([{ id: 'a', key: key() }]);
    const sealed = vault.seal('secret', 'row:1');
    const [version, id, payload] = sealed.split('.');
    const bytes = Buffer.from(payload!, 'base64url');
    bytes[bytes.length - 1]! ^= 0x01;
    expect(() => vault.open(`${version}.${id}.${bytes.toString('base64url')}`, 'row:1')).toThrow(VaultError);
    expect(() => vault.open(`${version}.${id}.${payload!.slice(0, 10)}`, 'row:1')).toThrow(VaultError);
    expect(() => vault.open('plaintext', 'row:1')).toThrow(VaultError);
  });

  it('refuses a ciphertext moved to another row', () => {
    const vault = new Vault([{ id: 'a', key: key() }]);
    const sealed = vault.seal('secret', 'connected_accounts.credentials_sealed:ca_alice');
    expect(() => vault.open(sealed, 'connected_accounts.credentials_sealed:ca_bob')).toThrow(/moved to another row/);
  });

  it('refuses a wrong key, and a key id swapped in the header', () => {
    const sealed = new Vault([{ id: 'a', key: key() }]).seal('secret', 'row:1');
    expect(() => new Vault([{ id: 'a', key: key() }]).open(sealed, 'row:1')).toThrow(VaultError);
    expect(() => new Vault([{ id: 'b', key: key() }]).open(sealed, 'row:1')).toThrow(/no key with id a/);
    const k = key();
    const vault = new Vault([
      { id: 'a', key: k },
      { id: 'b', key: k },
    ]);
    const swapped = vault.seal('secret', 'row:1').replace(/^v1\.a\./, 'v1.b.');
    expect(() => vault.open(swapped, 'row:1')).toThrow(VaultError);
  });

  it('seals with the first key of the ring and opens with any', () => {
    const oldKey = { id: 'old', key: key() };
    const sealedOld = new Vault([oldKey]).seal('secret', 'row:1');
    const ring = new Vault([{ id: 'new', key: key() }, oldKey]);
    expect(ring.open(sealedOld, 'row:1')).toBe('secret');
    expect(ring.isCurrent(sealedOld)).toBe(false);
    expect(ring.isCurrent(ring.seal('x', 'row:1'))).toBe(true);
  });
});

describe('key ring', () => {
  it('accepts a bare key and id:key pairs; a bare key keeps a stable derived id', () => {
    const a = key();
    const b = key();
    const ring = parseKeyRing(`new:${b.toString('base64')}, ${a.toString('base64')}`);
    expect(ring.map((k) => k.id)).toEqual(['new', keyIdFor(a)]);
    expect(parseKeyRing(a.toString('base64'))[0]!.id).toBe(keyIdFor(a));
  });

  it('refuses a key of the wrong length without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    expect(() => parseKeyRing(short)).toThrow(/key 1 decodes to 16 bytes; AES-256-GCM needs exactly 32/);
    try {
      parseKeyRing(`a:${key().toString('base64')},b:${short}`);
    } catch (error) {
      expect((error as Error).message).toMatch(/key 2/);
      expect((error as Error).message).not.toContain(short);
    }
    expect(() => parseKeyRing('not base64 at all!')).toThrow(/not base64/);
    expect(() => parseKeyRing(`a:${key().toString('base64')},a:${key().toString('base64')}`)).toThrow(/appears twice/);
  });
});
