// One Jest run, five tiers. `npm test` (scripts/test.mjs) picks the tiers and prepares what they need.
const moduleNameMapper = {
  '^@app/shared$': '<rootDir>/libs/shared/src',
  '^@app/shared/(.*)$': '<rootDir>/libs/shared/src/$1',
  '^@app/redis$': '<rootDir>/libs/redis/src',
  '^@app/metrics$': '<rootDir>/libs/metrics/src',
  '^@app/config$': '<rootDir>/libs/config/src',
  '^@app/client$': '<rootDir>/libs/client/src',
  '^@app/client/(.*)$': '<rootDir>/libs/client/src/$1',
};
// Transpile only (tsconfig.spec.json sets isolatedModules): `npm run typecheck` and the builds check types.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/apps/backend', '<rootDir>/apps/session', '<rootDir>/apps/cli', '<rootDir>/libs'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['reflect-metadata'],
      moduleNameMapper,
    },
    {
      displayName: 'web',
      rootDir: __dirname,
      preset: 'jest-preset-angular',
      testEnvironment: 'jsdom',
      roots: ['<rootDir>/apps/web'],
      testMatch: ['**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/apps/web/setup-jest.ts'],
      transform: {
        '^.+\\.(ts|js|mjs|html|svg)$': [
          'jest-preset-angular',
          { tsconfig: '<rootDir>/apps/web/tsconfig.spec.json', stringifyContentPathRegex: '\\.(html|svg)$' },
        ],
      },
      transformIgnorePatterns: ['node_modules/(?!.*\\.mjs$)'],
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      // frame-contract.setup: every WebSocket frame the tests send or receive must match docs/asyncapi.yaml.
      setupFilesAfterEnv: ['<rootDir>/test/support/long-timeout.ts', '<rootDir>/test/support/frame-contract.setup.ts'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['reflect-metadata'],
      moduleNameMapper,
    },
    {
      // Fault injection with real processes in the start:cluster topology (SIGKILL, SIGSTOP, drains,
      // a backend killed, Redis restarted): `npx jest --selectProjects chaos --runInBand`.
      displayName: 'chaos',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/test/chaos'],
      setupFilesAfterEnv: ['<rootDir>/test/support/long-timeout.ts', '<rootDir>/test/support/frame-contract.setup.ts'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['reflect-metadata'],
      moduleNameMapper,
    },
    {
      displayName: 'browser',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      setupFiles: ['reflect-metadata'],
      moduleNameMapper,
      testTimeout: 120000,
    },
  ],
};
