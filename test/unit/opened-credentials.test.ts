import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Caches, type Deps } from '../../src/deps.ts';
import { credentialsOf, sealCredentials } from '../../src/services/account-state.ts';
import { Vault, VaultError } from '../../src/vault/vault.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

// one app's vault and caches, as Deps holds them
const deps = { vault: new Vault([{ id: 'k1', key: randomBytes(32) }]), caches: new Caches() } as unknown as Deps;
const account = (id: string, credentialsSealed: string | null) => ({ id, credentialsSealed }) as ConnectedAccount;

describe('credentialsOf', () => {
  it('opens an account once while its sealed text is the same, and shares the value frozen', () => {
    const sealed = sealCredentials(deps, 'ca_a', { token: 'first-token' });
    const first = credentialsOf(deps, account('ca_a', sealed));
    expect(first).toEqual({ token: 'first-token' });
    expect(credentialsOf(deps, account('ca_a', sealed))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('opens the new value once a refresh or reconnect wrote new sealed text', () => {
    const before = credentialsOf(deps, account('ca_b', sealCredentials(deps, 'ca_b', { token: 'old-token' })));
    const after = credentialsOf(deps, account('ca_b', sealCredentials(deps, 'ca_b', { token: 'new-token' })));
    expect(before.token).toBe('old-token');
    expect(after.token).toBe('new-token');
  });

  it('still refuses sealed text copied from another account, even after that account was opened', () => {
    const sealed = sealCredentials(deps, 'ca_owner', { token: 'owner-token' });
    expect(credentialsOf(deps, account('ca_owner', sealed)).token).toBe('owner-token');
    expect(() => credentialsOf(deps, account('ca_thief', sealed))).toThrow(VaultError);
  });
});
