// Shared Vitest settings for every project. The `@imgcap/source` export condition makes a lib's
// tests import sibling libs from their TypeScript sources, so `nx test <lib>` needs no build first.
import { join } from 'node:path';

export function imgcapTestConfig(projectRoot) {
  return {
    resolve: { conditions: ['@imgcap/source'] },
    ssr: { resolve: { conditions: ['@imgcap/source'], externalConditions: ['@imgcap/source'] } },
    test: {
      root: projectRoot,
      include: ['src/**/*.test.ts'],
      // tfjs keeps one global engine per process; forks keep test files from sharing it.
      pool: 'forks',
      // A project whose tests all vanished (a bad include, a renamed folder) must fail, not pass.
      passWithNoTests: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
      reporters: ['default', ['json', { outputFile: join(projectRoot, 'reports', 'vitest.json') }]],
    },
  };
}
