import { defineConfig } from 'vitest/config';
import { imgcapTestConfig } from '../../vitest.shared.mjs';

export default defineConfig(imgcapTestConfig(import.meta.dirname));
