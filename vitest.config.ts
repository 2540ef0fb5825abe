import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // installs the system packages the tests need (Chromium, PostgreSQL) when missing, so `npm test` stands
    // alone; then starts the run's throwaway PostgreSQL cluster
    globalSetup: ['test/system-packages.ts', 'test/helpers/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files run in parallel across the 2 cores; each test builds its own data directory and ports.
    pool: 'forks',
  },
});
