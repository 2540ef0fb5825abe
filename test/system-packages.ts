import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { POSTGRES_BIN } from './helpers/postgres.ts';

/**
 * The system packages the tests need beyond `npm install`, and the file each one provides. vitest runs
 * this before any test (globalSetup), so `npm test` works on a fresh Debian machine by itself.
 */
export const SYSTEM_PACKAGES = [
  // the hosted-page tests drive Debian's Chromium through playwright-core, which downloads no browser
  { name: 'chromium', provides: '/usr/bin/chromium' },
  // a CJK font (1.6 MB), so the Simplified Chinese hosted pages render as text, not boxes, in the
  // browser tests and in `npm run screenshots`
  { name: 'fonts-wqy-microhei', provides: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc' },
  // the PostgreSQL tests (and LATCHKEY_TEST_BACKEND=postgres) run a throwaway cluster (test/helpers/postgres.ts)
  { name: 'postgresql', provides: `${POSTGRES_BIN}/postgres` },
];

interface Machine {
  exists(path: string): boolean;
  isRoot: boolean;
  install(names: string[]): void;
}

const debian: Machine = {
  exists: existsSync,
  isRoot: process.getuid?.() === 0,
  install(names) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: 'inherit', env });
  },
};

/** Installs what is missing when we are root; otherwise stops the run with the command to type. */
export function ensureSystemPackages(machine: Machine = debian, packages = SYSTEM_PACKAGES): void {
  const missing = packages.filter((p) => !machine.exists(p.provides));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  if (!machine.isRoot) {
    throw new Error(
      `the tests need ${missing.map((p) => `${p.provides} (package ${p.name})`).join(', ')}: run \`sudo apt-get install -y ${names.join(' ')}\`, or npm test as root to have it installed`,
    );
  }
  console.log(`installing system packages the tests need: ${names.join(' ')}`);
  machine.install(names);
  const still = missing.filter((p) => !machine.exists(p.provides));
  if (still.length > 0) throw new Error(`installing ${names.join(' ')} did not provide ${still.map((p) => p.provides).join(', ')}`);
}

export default function setup(): void {
  ensureSystemPackages();
}
