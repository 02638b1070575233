import { defineConfig } from 'vitest/config';
import { imgcapTestConfig } from '../vitest.shared.mjs';

// Tests of the bench and load-test tools (plain .mjs, importing the libs from source), and the workspace's boundaries.
const shared = imgcapTestConfig(import.meta.dirname);
export default defineConfig({
  ...shared,
  test: { ...shared.test, include: ['bench/**/*.test.mjs', 'loadtest/**/*.test.mjs', 'boundaries/**/*.test.mjs'] },
});
