/** Tests run through @swc/jest (type checking is the separate `tsc --noEmit` step of `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/setup-reach.ts'],
};
