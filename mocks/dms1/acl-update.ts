import { aclUri, del, get, replace, resultData, statusOf } from '../../src/dm/commands.js';
import type { SessionScript } from '../../src/dm/server-session.js';
import { ACL_COMMANDS, parseAcl, serializeAcl, withServer, type Acl, type AclCommand } from '../../src/tree/acl.js';

export interface AclUpdatePlan {
  subtrees: string[];
  delegator: string;
  delegatee: string;
  /** DMS-1's own account node, deleted last when the delegation removes DMS-1 (B.8b / A.5). */
  removeAccountPath?: string;
  /** How the new ACL is made from the current effective one (mutants replace this). */
  rewrite?: (current: Acl, delegator: string, delegatee: string) => Acl;
  /** Post-processing of the serialized ACL (mutants only). */
  text?: (acl: string) => string;
  /** Delete the account before the ACL updates (mutants only). */
  removeFirst?: boolean;
}

/** DMS-2 gets exactly the commands DMS-1 holds; everyone else's entries stay. */
export function grantDelegatee(current: Acl, delegator: string, delegatee: string): Acl {
  const held = (Object.keys(current) as AclCommand[]).filter((c) => current[c]?.includes(delegator));
  return held.length ? withServer(current, held, delegatee) : current;
}

/**
 * A permanent delegation hands DMS-1's rights over: each command DMS-1 holds goes to DMS-2 instead, and
 * everyone else's entries stay (binding profile §4.5).
 */
export function handOver(current: Acl, delegator: string, delegatee: string): Acl {
  const out: Acl = {};
  for (const [cmd, ids] of Object.entries(grantDelegatee(current, delegator, delegatee)) as Array<[AclCommand, string[]]>) out[cmd] = ids.filter((id) => id !== delegator);
  return out;
}

/** DMS-2 gets every command, whether DMS-1 held it or not (mutants only). */
export function grantAll(current: Acl, _delegator: string, delegatee: string): Acl {
  return withServer(current, ACL_COMMANDS, delegatee);
}

const parent = (uri: string) => uri.slice(0, uri.lastIndexOf('/')) || '.';

/**
 * DMS-1's ACL update: read each delegated root's ACL (walking up to the nearest ancestor with a value when
 * it inherits, because Replace overwrites the whole ACL), write it back with DMS-2 added, then optionally
 * delete DMS-1's own account as the last command of the session.
 */
export function aclUpdateScript(plan: AclUpdatePlan): SessionScript {
  const rewrite = plan.rewrite ?? grantDelegatee;
  const text = plan.text ?? ((x: string) => x);
  return async function* () {
    if (plan.removeFirst && plan.removeAccountPath) yield [del(plan.removeAccountPath)];
    const effective = new Map<string, string>();
    let asking = new Map(plan.subtrees.map((s) => [s, s]));
    while (asking.size) {
      const uris = [...asking.values()];
      const reply = yield uris.map((u) => get(aclUri(u)));
      const next = new Map<string, string>();
      [...asking.keys()].forEach((root, i) => {
        const code = statusOf(reply, i);
        if (code !== '200') throw new Error(`Get ${aclUri(uris[i])} answered ${code ?? 'nothing'}`);
        const value = resultData(reply, i) ?? '';
        if (value) effective.set(root, value);
        else if (uris[i] === '.') effective.set(root, '');
        else next.set(root, parent(uris[i]));
      });
      asking = next;
    }
    const writes = plan.subtrees.map((s) =>
      replace(aclUri(s), text(serializeAcl(rewrite(parseAcl(effective.get(s) ?? ''), plan.delegator, plan.delegatee)))),
    );
    const written = yield writes;
    writes.forEach((w, i) => {
      const code = statusOf(written, i);
      if (code !== '200') throw new Error(`Replace ${w.items[0].target} answered ${code ?? 'nothing'}`);
    });
    if (plan.removeAccountPath && !plan.removeFirst) {
      const removed = yield [del(plan.removeAccountPath)];
      if (statusOf(removed, 0) !== '200') throw new Error(`Delete ${plan.removeAccountPath} answered ${statusOf(removed, 0)}`);
    }
  };
}
