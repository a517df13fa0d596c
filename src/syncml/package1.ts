/**
 * Package 1 of a DM session (DM 1.2.1 Protocol §2.3): the session Alert and the client's DevInfo, Final.
 * Shared by the reference client and the tester, which plays a client that authenticates wrongly.
 */
import { AUTH_BASIC } from './auth.js';
import type { Command, Cred, ItemCommand, SyncHdr, SyncMLMessage } from './model.js';

/** The DevInfo a client reports in package 1 (DM 1.2.1 StdObj §7.1.3.2). */
export interface DevInfo {
  devId: string;
  man: string;
  mod: string;
  dmV: string;
  lang: string;
}

/** The Replace of ./DevInfo, one Item per node. */
export function devInfoReplace(d: DevInfo, cmdId: string): ItemCommand {
  const items = (['DevId', 'Man', 'Mod', 'DmV', 'Lang'] as const).map((k) => ({
    source: `./DevInfo/${k}`,
    meta: { format: 'chr' },
    data: d[(k[0].toLowerCase() + k.slice(1)) as keyof DevInfo],
  }));
  return { kind: 'Replace', cmdId, items };
}

/** The SyncHdr fields a credential goes in: Cred, and for a digest the user name in Source/LocName. */
export function credFields(name: string, cred: Cred): Pick<SyncHdr, 'cred' | 'sourceName'> {
  return cred.meta.type === AUTH_BASIC ? { cred } : { cred, sourceName: name };
}

/** Alert 1200/1201 (CmdID 1), then DevInfo (CmdID 2) unless left out, then Final. */
export function package1(hdr: SyncHdr, alert: string, devInfo?: DevInfo): SyncMLMessage {
  const body: Command[] = [{ kind: 'Alert', cmdId: '1', data: alert, items: [] }];
  if (devInfo) body.push(devInfoReplace(devInfo, '2'));
  return { hdr, body, final: true };
}
