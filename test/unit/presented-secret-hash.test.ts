import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, presentedSecretHash } from '../../src/ids.ts';

describe('presentedSecretHash', () => {
  it('is the SHA-256 of exactly the presented string, however many credentials came before', () => {
    const first = newSecret('lks');
    expect(presentedSecretHash(first)).toBe(hashSecret(first));
    // a credential one character off gets its own digest, never the remembered one
    const near = `${first.slice(0, -1)}${first.endsWith('a') ? 'b' : 'a'}`;
    expect(presentedSecretHash(near)).toBe(hashSecret(near));
    expect(presentedSecretHash(near)).not.toBe(presentedSecretHash(first));
    // a flood of other credentials (more than it keeps) changes no answer
    const flood = Array.from({ length: 2500 }, () => newSecret('lks'));
    for (const token of flood) expect(presentedSecretHash(token)).toBe(hashSecret(token));
    expect(presentedSecretHash(first)).toBe(hashSecret(first));
    expect(presentedSecretHash(flood[0]!)).toBe(hashSecret(flood[0]!));
  });
});
