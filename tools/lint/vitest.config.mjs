import { defineConfig } from 'vitest/config';
import { imgcapTestConfig } from '../../vitest.shared.mjs';

const shared = imgcapTestConfig(import.meta.dirname);
export default defineConfig({ ...shared, test: { ...shared.test, include: ['*.test.mjs'] } });
