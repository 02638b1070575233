import { defineConfig } from 'vitest/config';
import { imgcapTestConfig } from '../vitest.shared.mjs';

// Tests of the bench and load-test tools (plain .mjs, importing the libs from source), the workspace's boundaries,
// the packed libs (tools/pack: npm pack, an offline install of the tarballs, each README's usage example), and the
// root package.json scripts meant for programs (tools/scripts).
const shared = imgcapTestConfig(import.meta.dirname);
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: [
      'bench/**/*.test.mjs',
      'loadtest/**/*.test.mjs',
      'boundaries/**/*.test.mjs',
      'pack/**/*.test.mjs',
      'scripts/**/*.test.mjs',
    ],
  },
});
