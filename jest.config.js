/** jest 30 + @swc/jest in ESM mode (see docs/decisions.md). Projects: `npm run test:unit|test:integration|test:e2e`. */
import { readFileSync } from 'node:fs';

// package.json "imports" (#lib/*, #sandbox/*, ...) are the one source of the subpath aliases: jest maps the same
// targets, with the `.js` of an import mapped back to the `.ts` source (as tsc, tsx and esbuild do).
const { imports } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const subpaths = Object.fromEntries(
  Object.entries(imports).map(([alias, target]) => [
    `^${alias.replace('*', '(.*)')}\\.js$`,
    `<rootDir>/${target.replace(/^\.\//, '').replace('*', '$1')}`,
  ]),
);

export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', ...subpaths },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  setupFiles: ['<rootDir>/tests/setup-polyfills.ts'],
  testTimeout: 120000,
  maxWorkers: 2,
};
