import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DmAccount } from '../model/account.js';
import { writeAccountLocal } from '../tree/dmacc.js';
import { DmTree } from '../tree/tree.js';

export interface ClientFixture {
  devInfo: { devId: string; man: string; mod: string; dmV: string; lang: string };
  rootAcl: string;
  nodes: Array<{ path: string; format: string; value?: string; acl?: string }>;
  accounts: Array<{ path: string; account: DmAccount }>;
  servers: { dms1: string; dms2: string; other: string[] };
  managedSubtrees: string[];
  partialSubtrees: string[];
}

export const DEFAULT_CLIENT_FIXTURE = fileURLToPath(new URL('../../fixtures/trees/client-initial.json', import.meta.url));

export function loadClientFixture(file = DEFAULT_CLIENT_FIXTURE): ClientFixture {
  return JSON.parse(readFileSync(file, 'utf8')) as ClientFixture;
}

/** Builds the client's tree, filling `{{name}}` placeholders (URLs known only once servers listen). */
export function buildClientTree(f: ClientFixture, vars: Record<string, string>): DmTree {
  const fill = (s: string) => s.replace(/\{\{([\w.]+)\}\}/g, (_m, k: string) => vars[k] ?? `{{${k}}}`);
  const tree = new DmTree({ rootAcl: f.rootAcl });
  for (const n of f.nodes) {
    tree.setNode(n.path, {
      format: n.format,
      ...(n.value !== undefined ? { value: fill(n.value) } : {}),
      ...(n.acl !== undefined ? { acl: n.acl } : {}),
    });
  }
  for (const a of f.accounts) writeAccountLocal(tree, a.path, { ...a.account, addr: fill(a.account.addr) });
  return tree;
}

/** The credentials a server keeps for the device, from the device's account for that server. */
export function deviceCredentials(f: ClientFixture, serverId: string) {
  const acc = f.accounts.find((a) => a.account.serverId === serverId)?.account;
  const cl = acc?.appAuth.find((x) => x.level === 'CLCRED');
  const srv = acc?.appAuth.find((x) => x.level === 'SRVCRED');
  if (!cl?.secret || !srv?.secret) throw new Error(`fixture has no credentials for ${serverId}`);
  return {
    devId: f.devInfo.devId,
    client: { name: cl.name ?? f.devInfo.devId, secret: cl.secret, nonce: Buffer.from(cl.data ?? '', 'base64') },
    server: { name: srv.name ?? serverId, secret: srv.secret, nonce: Buffer.from(srv.data ?? '', 'base64') },
  };
}

/**
 * The fixture with other ServerIDs for DMS-1 and DMS-2 (a real server under test has its own): in its
 * accounts, credentials and every ACL.
 */
export function withServerIds(f: ClientFixture, ids: { dms1: string; dms2: string }): ClientFixture {
  let text = JSON.stringify(f);
  for (const role of ['dms1', 'dms2'] as const) {
    const from = f.servers[role].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Whole identifiers only: a JSON string of its own, or an ACL list member.
    text = text.replace(new RegExp(`(?<=["=+])${from}(?=["+&])`, 'g'), ids[role]);
  }
  return JSON.parse(text) as ClientFixture;
}
