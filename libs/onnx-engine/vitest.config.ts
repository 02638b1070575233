import { defineConfig } from 'vitest/config';
import { imgcapTestConfig } from '../../tools/vitest.shared.js';

export default defineConfig(imgcapTestConfig(import.meta.dirname));
