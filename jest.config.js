// @ts-check
/**
 * Jest projects: unit (pure code), integration (real HTTP + sockets), security (one test per
 * attack, and the fuzz), e2e (real Chromium).
 */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
// jose is ESM-only: let swc turn it into CommonJS like our own sources.
const common = {
  transform,
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option (per-project values are ignored by jest).
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'security', testMatch: ['<rootDir>/tests/security/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};
