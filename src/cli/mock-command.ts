import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MockBootstrap } from '../../mocks/bootstrap/mock-bootstrap.js';
import { MockClient } from '../../mocks/client/mock-client.js';
import type { MockEnv } from '../../mocks/common/env.js';
import { MockDms1 } from '../../mocks/dms1/mock-dms1.js';
import { MockDms2 } from '../../mocks/dms2/mock-dms2.js';
import { isRole, ROLES, type Role } from '../model/roles.js';
import { createPki, writeIdentity } from '../pki/pki.js';
import { buildClientTree, deviceCredentials, loadClientFixture } from '../runner/client-fixture.js';
import { parseBody } from '../trace/parse-body.js';
import { TraceRecorder } from '../trace/recorder.js';

export const MOCK_HELP = `dmdc mock <role> [options]

Serves one reference mock (dms1 | dms2 | bootstrap | client) so a real implementation can talk to it.

Options:
  --port N         first port to listen on; 0 picks free ports (default 0). A DMS also listens on N+1
                   for its delegation API (mutual TLS) when N is not 0.
  --host H         address to listen on (default 127.0.0.1)
  --out DIR        where to write certificates and the trace (default .dmdc-mock/<role>)
  --peer ID=URL    a peer DM server's ServerID and delegation URL (repeatable), e.g.
                   --peer dms1.example=https://127.0.0.1:9001/delegation
  --dms1-url URL   (client) DMS-1's DM URL, written into the client's DMS-1 account
  --push-url URL   (dms1, dms2) the client's Package #0 endpoint
  --help           this text

Writes to DIR: ca.crt (trust anchor of this run), <role>.crt/.key (the mock's own identity) and a
certificate/key pair for every other role (dms1.crt, dms2.crt, bootstrap.crt, client.crt and keys):
a peer presents the one of its role on mutual-TLS links. Prints one JSON line with the URLs.`;

/** `dmdc mock <role>`: one mock on real sockets until SIGINT/SIGTERM. */
export async function mockCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      out: { type: 'string' },
      peer: { type: 'string', multiple: true, default: [] },
      'dms1-url': { type: 'string' },
      'push-url': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(MOCK_HELP);
    return 0;
  }
  const role = positionals[0];
  if (!isRole(role)) {
    console.error(`dmdc mock: role must be one of ${ROLES.join(', ')}${role ? `, not "${role}"` : ''}\n\n${MOCK_HELP}`);
    return 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534) {
    console.error(`dmdc mock: --port must be an integer from 0 to 65534, not "${values.port}"`);
    return 2;
  }
  const out = resolve(values.out ?? join('.dmdc-mock', role));
  mkdirSync(out, { recursive: true });
  const pki = await createPki();
  writeIdentity(out, 'ca', pki.ca);
  for (const r of ROLES) writeIdentity(out, r, pki.roles[r]);

  const trace = new TraceRecorder(join(out, 'trace.jsonl'));
  const env: MockEnv = {
    identity: pki.roles[role],
    trustAnchors: [pki.ca.cert],
    trace,
    parseBody,
    budgets: { requestMs: 10_000 },
    // Alone, the mock's peers are real implementations: record both sides.
    recordOutbound: () => true,
    host: values.host,
    port,
  };
  const fixture = loadClientFixture();
  const peers = (values.peer as string[]).map((p) => {
    const eq = p.indexOf('=');
    return { serverId: p.slice(0, eq), url: p.slice(eq + 1) };
  });
  const roleOfServerId = (id: string): Role | 'unknown' =>
    id === fixture.servers.dms1 ? 'dms1' : id === fixture.servers.dms2 ? 'dms2' : 'unknown';

  let urls: Record<string, string>;
  let close: () => Promise<void>;
  if (role === 'client') {
    const tree = buildClientTree(fixture, { 'dms1.dm': values['dms1-url'] ?? 'https://127.0.0.1:1/dm' });
    const client = await new MockClient({ env, tree, devInfo: fixture.devInfo, roleOfServerId }).start();
    urls = { push: client.pushUrl };
    close = () => client.close();
  } else if (role === 'bootstrap') {
    const bs = await new MockBootstrap(env).start();
    urls = { bootstrap: bs.bootstrapUrl, order: bs.orderUrl };
    close = () => bs.close();
  } else {
    const common = { serverId: fixture.servers[role], env, sessionBudgetMs: 30_000 };
    const server =
      role === 'dms1'
        ? new MockDms1({
            ...common,
            notificationBudgetMs: 60_000,
            managedSubtrees: fixture.managedSubtrees,
            ownAccountPath: fixture.accounts[0].path,
          })
        : new MockDms2({ ...common, bootstrap: { mode: 'colocated' }, pushUrlOf: () => values['push-url'] });
    await server.start();
    for (const p of peers) server.peers.set(p.serverId, { role: role === 'dms1' ? 'dms2' : 'dms1', serverId: p.serverId, delegationUrl: p.url });
    if (role === 'dms1' && values['push-url']) {
      server.devices.set(fixture.devInfo.devId, { ...fixture.devInfo, pushUrl: values['push-url'], credentials: deviceCredentials(fixture, fixture.servers.dms1) });
    }
    urls = { dm: server.dmUrl, delegation: server.delegationUrl, ...(server instanceof MockDms2 ? { bootstrap: server.bootstrapUrl } : {}) };
    close = () => server.close();
  }
  console.log(JSON.stringify({ role, ...urls, certificates: out, trace: join(out, 'trace.jsonl') }));

  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await close();
  return 0;
}
