import { defineConfig } from 'vitest/config';
import { imgcapTestConfig } from './vitest.shared.js';

// Tests of the bench and load-test tools (plain .mjs, importing the libs from source).
const shared = imgcapTestConfig(import.meta.dirname);
export default defineConfig({ ...shared, test: { ...shared.test, include: ['bench/**/*.test.mjs', 'loadtest/**/*.test.mjs'] } });
