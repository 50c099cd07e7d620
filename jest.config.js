// @ts-check
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest reads this CommonJS file as is
const { availableParallelism } = require('node:os');
/**
 * Jest projects: unit (pure code), integration (real HTTP + sockets), security (one test per
 * attack, and the fuzz), e2e (real Chromium), soak (the built server as three processes behind
 * nginx, with an instance kill and a Redis fault; the short variant of `npm run soak`).
 */
const swc = (tsx) => [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript', tsx }, target: 'es2022', transform: { react: { runtime: 'automatic' } } },
    module: { type: 'commonjs' },
  },
];
const transform = { '^.+\\.tsx$': swc(true), '^.+\\.(t|j)sx?$': swc(false) };
// The packages under client/ by name, from their sources (as tsconfig.json's `paths`).
const moduleNameMapper = {
  '^@qrlogin/(web|mobile|node)$': '<rootDir>/client/$1/index.ts',
  '^@qrlogin/react$': '<rootDir>/client/react/index.tsx',
};
// jose, oidc-provider and openid-client (with oauth4webapi) are ESM-only: let swc turn them into CommonJS like our own sources.
const common = {
  transform,
  moduleNameMapper,
  transformIgnorePatterns: ['/node_modules/(?!(jose|oidc-provider|openid-client|oauth4webapi)/)'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option (per-project values are ignored by jest).
  testTimeout: 30_000,
  // Jest's default is one worker fewer than the CPUs: one, on the 2-vCPU machines CI runs on. The
  // suites mostly wait on sockets, Redis and child processes, so two workers there take the
  // whole run from about 500 s to about 285 s (measured 2026-12-04).
  maxWorkers: Math.max(2, availableParallelism() - 1),
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
    },
    { ...common, displayName: 'security', testMatch: ['<rootDir>/tests/security/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
    { ...common, displayName: 'soak', testMatch: ['<rootDir>/tests/soak/**/*.test.ts'] },
  ],
};
