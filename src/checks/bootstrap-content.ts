import type { DmAccount } from '../model/account.js';
import { TREE } from '../profile.js';
import type { SyncMLMessage } from '../syncml/model.js';
import { targetsOf } from '../judge/wire.js';
import { DMACC_APP_ID } from '../tree/dmacc.js';

/** What the bootstrap must provision: DMS-2's ServerID and DM URL, and (when seen) what DMS-2 ordered. */
export interface BootstrapExpectation {
  serverId: string;
  addr: string;
  ordered?: DmAccount;
}

const CREDENTIAL_LEVELS = ['CLCRED', 'SRVCRED'] as const;

/** The layout in one line, for the Expected of a verdict (`dmAccRoot`: where the device keeps its accounts). */
export function bootstrapLayout(dmAccRoot: string = TREE.dmAccRoot): string {
  return `Add only; ${dmAccRoot}/<X> with AppID ${DMACC_APP_ID}, ServerID, AppAddr/<X>/Addr = DMS-2's DM URL, CLCRED and SRVCRED AppAuth`;
}

/**
 * The differences between a bootstrap message and the DMAcc layout binding profile §4.2 asks for: Adds
 * only, one account `<dmAccRoot>/<X>` (./DMAcc/<X> by default) with its root node, AppID w7, DMS-2's ServerID
 * and DM URL, and CLCRED and SRVCRED credentials (the ones DMS-2 ordered, when its order is on the wire).
 * Secrets are never quoted.
 */
export function bootstrapProblems(m: SyncMLMessage, want: BootstrapExpectation, dmAccRoot: string = TREE.dmAccRoot): string[] {
  const all = targetsOf(m);
  const p: string[] = [];
  for (const t of all.filter((x) => x.kind !== 'Add')) p.push(`${t.kind} ${t.target} where the profile says Add`);
  const root = `${dmAccRoot}/`;
  const outside = all.filter((t) => !t.target.startsWith(root));
  if (outside.length) p.push(`adds outside ${dmAccRoot}: ${outside.slice(0, 3).map((t) => t.target).join(', ')}${outside.length > 3 ? ', …' : ''}`);
  const values = new Map(all.filter((t) => t.target.startsWith(root)).map((t) => [t.target, t]));
  // An account's base is the root and one node name below it (<dmAccRoot>/<X>).
  const bases = [...new Set([...values.keys()].map((path) => `${root}${path.slice(root.length).split('/')[0]}`))];
  const base = bases.find((b) => values.get(`${b}/ServerID`)?.data === want.serverId);
  if (!base) {
    const ids = bases.map((b) => values.get(`${b}/ServerID`)?.data).filter(Boolean);
    p.push(`no account with ServerID ${want.serverId} under ${dmAccRoot}${ids.length ? ` (ServerIDs added: ${ids.join(', ')})` : ''}`);
    return p;
  }
  const value = (rel: string) => values.get(`${base}/${rel}`)?.data;
  const under = (pattern: RegExp) => [...values.values()].filter((t) => pattern.test(t.target.slice(base.length + 1)));
  if (!values.has(base)) p.push(`the account's root node ${base} is not added`);
  if (value('AppID') !== DMACC_APP_ID) p.push(value('AppID') === undefined ? `no AppID (${DMACC_APP_ID})` : `AppID ${value('AppID')}, not ${DMACC_APP_ID}`);
  const addrs = under(/^AppAddr\/[^/]+\/Addr$/).map((t) => t.data);
  if (!addrs.length) p.push('no AppAddr/<X>/Addr');
  else if (!addrs.includes(want.addr)) p.push(`Addr ${addrs.join(', ')}, expected DMS-2's DM URL ${want.addr}`);
  for (const level of CREDENTIAL_LEVELS) {
    const at = under(/^AppAuth\/[^/]+\/AAuthLevel$/).find((t) => t.data === level)?.target.replace(/\/AAuthLevel$/, '');
    if (!at) {
      p.push(`no ${level} credentials (AppAuth/<X>/AAuthLevel ${level})`);
      continue;
    }
    const leaf = (name: string) => values.get(`${at}/${name}`)?.data;
    const absent = ['AAuthType', 'AAuthName', 'AAuthSecret'].filter((n) => leaf(n) === undefined);
    if (absent.length) p.push(`${level} credentials without ${absent.join(', ')}`);
    const ordered = want.ordered?.appAuth.find((a) => a.level === level);
    if (ordered && !absent.length && (leaf('AAuthName') !== ordered.name || leaf('AAuthSecret') !== ordered.secret || (ordered.data !== undefined && leaf('AAuthData') !== ordered.data))) {
      p.push(`${level} credentials differ from the ones DMS-2 ordered`);
    }
  }
  return p;
}
