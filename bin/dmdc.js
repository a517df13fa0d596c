#!/usr/bin/env node
// The CLI is TypeScript; tsx runs it on Node 20 without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
