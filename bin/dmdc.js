#!/usr/bin/env node
// The CLI is TypeScript; tsx runs it on Node 20 without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
// Once a command is done, abandoned work of a misbehaving peer (a budget still running) must not keep the
// process alive.
process.exit(await main(process.argv.slice(2)));
