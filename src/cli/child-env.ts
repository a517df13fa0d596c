/**
 * The environment for a Node process of the harness's own that makes no TLS connection of its trust (the
 * suites' process, a test's mock role): the parent's, less NODE_EXTRA_CA_CERTS. Node 20 reads and parses that
 * bundle when a process starts, whether or not it is used: 65–75 ms of CPU per start on this project's CI
 * machines (its `node -e 0` 100 ms with it, 35 ms without). Every TLS context of the harness names its CAs.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  return { ...env, ...extra };
}
