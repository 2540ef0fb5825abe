import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // installs the system packages the tests need (Chromium) when missing, so `npm test` stands alone
    globalSetup: ['test/system-packages.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files run in parallel across the 2 cores; each test builds its own data directory and ports.
    pool: 'forks',
  },
});
