import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
  // SWC keeps decorator metadata, which Nest's injection and class-validator depend on.
  plugins: [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2023' } })],
});
