#!/usr/bin/env node
// The `pni` command: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../sandbox/polyfills.ts');
const { main } = await import('../cli/pni.ts');
process.exitCode = await main(process.argv.slice(2));
