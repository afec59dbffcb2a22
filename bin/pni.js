#!/usr/bin/env node
// The `pni` command: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every client that Node 20 support ends in 2027; say it once in the README instead.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const name = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (name === 'NodeVersionSupportWarning' || String(warning).includes('NodeVersionSupportWarning')) return;
  emitWarning(warning, ...rest);
};

register();
await import('../sandbox/polyfills.ts');
const { main } = await import('../cli/pni.ts');
process.exitCode = await main(process.argv.slice(2));
