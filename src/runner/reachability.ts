import { connect } from 'node:net';
import type { RunConfig } from '../config/config.js';
import { ROLES } from '../model/roles.js';

/** Errors that mean nothing is there to talk to (as opposed to a peer that answers badly or not at all). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'CONNECT_TIMEOUT']);

export const isUnreachable = (code: string | undefined) => !!code && UNREACHABLE.has(code);

/** Every URL the config gives for a real implementation, named by its config field. */
export function realEndpoints(cfg: RunConfig | undefined): Array<{ field: string; url: string }> {
  const out: Array<{ field: string; url: string }> = [];
  for (const role of ROLES) {
    const rc = cfg?.roles[role] as unknown as Record<string, unknown> | undefined;
    if (rc?.mode !== 'real') continue;
    for (const key of ['delegationUrl', 'dmUrl', 'orderUrl', 'bootstrapUrl', 'pushUrl']) {
      if (typeof rc[key] === 'string') out.push({ field: `roles.${role}.${key}`, url: rc[key] as string });
    }
  }
  return out;
}

/** Opens a TCP connection to the URL's host and port: the error code when nobody is there, else undefined. */
export function probeTcp(url: string, budgetMs: number): Promise<string | undefined> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443) });
    const done = (code?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => done('CONNECT_TIMEOUT'), budgetMs);
    socket.once('connect', () => done());
    socket.once('error', (err: Error & { code?: string }) => done(err.code ?? err.message));
  });
}

/**
 * The real implementations' endpoints nobody listens on. Such a run is an error of the set-up (exit 2,
 * nothing judged), never a list of FAILs against a peer that never sent a byte.
 */
export async function unreachableEndpoints(cfg: RunConfig | undefined, budgetMs: number): Promise<string[]> {
  const found = await Promise.all(realEndpoints(cfg).map(async (e) => ({ ...e, code: await probeTcp(e.url, budgetMs) })));
  return found.filter((e) => isUnreachable(e.code)).map((e) => `${e.field} ${e.url} is not reachable (${e.code === 'CONNECT_TIMEOUT' ? `no TCP connection within ${budgetMs} ms` : e.code})`);
}
