import { describe, expect, it } from 'vitest';
import { ensureSystemPackages } from '../system-packages.ts';

const packages = [{ name: 'chromium', provides: '/usr/bin/chromium' }];

function machine(isRoot: boolean, present: string[] = []) {
  const files = new Set(present);
  const installed: string[][] = [];
  return {
    installed,
    exists: (path: string) => files.has(path),
    isRoot,
    install(names: string[]) {
      installed.push(names);
      files.add('/usr/bin/chromium');
    },
  };
}

describe('the system packages the tests need', () => {
  it('does nothing when everything is there', () => {
    const m = machine(true, ['/usr/bin/chromium']);
    ensureSystemPackages(m, packages);
    expect(m.installed).toEqual([]);
  });

  it('installs what is missing as root', () => {
    const m = machine(true);
    ensureSystemPackages(m, packages);
    expect(m.installed).toEqual([['chromium']]);
  });

  it('stops with the command to run when it cannot install', () => {
    const m = machine(false);
    expect(() => ensureSystemPackages(m, packages)).toThrow(
      'the tests need /usr/bin/chromium (package chromium): run `sudo apt-get install -y chromium`',
    );
    expect(m.installed).toEqual([]);
  });

  it('lists Chromium, which the hosted-page tests drive', async () => {
    const { SYSTEM_PACKAGES } = await import('../system-packages.ts');
    expect(SYSTEM_PACKAGES).toContainEqual({ name: 'chromium', provides: '/usr/bin/chromium' });
  });
});
