/**
 * Jest 30 in native ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`), transpiled by
 * @swc/jest. Workspace packages resolve to their TypeScript sources, so tests need no build.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {
    '^@gatehouse/core$': '<rootDir>/packages/core/src/index.ts',
    '^@gatehouse/core/remote$': '<rootDir>/packages/core/src/remote/index.ts',
    '^@gatehouse/core/pino$': '<rootDir>/packages/core/src/pino-sink.ts',
    '^@gatehouse/core/adapter$': '<rootDir>/packages/core/src/adapter/index.ts',
    '^@gatehouse/engine$': '<rootDir>/packages/engine/src/index.ts',
    '^@gatehouse/engine/internal$': '<rootDir>/packages/engine/src/internal.ts',
    '^@gatehouse/store-postgres$': '<rootDir>/packages/store-postgres/src/index.ts',
    '^@gatehouse/pdp-server$': '<rootDir>/packages/pdp-server/src/index.ts',
    '^@gatehouse/nestjs$': '<rootDir>/packages/nestjs/src/index.ts',
    '^@gatehouse/express$': '<rootDir>/packages/express/src/index.ts',
    '^@gatehouse/casl$': '<rootDir>/packages/casl/src/index.ts',
    '^@gatehouse/prisma$': '<rootDir>/packages/prisma/src/index.ts',
    '^@gatehouse/drizzle$': '<rootDir>/packages/drizzle/src/index.ts',
    '^@gatehouse/casl/(browser|nest|express)$': '<rootDir>/packages/casl/src/$1/index.ts',
    '^@gatehouse/elements$': '<rootDir>/packages/elements/src/index.ts',
    '^@gatehouse/admin$': '<rootDir>/packages/admin/src/index.ts',
    '^@gatehouse/admin/(remote|postgres|express|nest)$': '<rootDir>/packages/admin/src/$1/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
};
