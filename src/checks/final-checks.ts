import { commandsOf, isAclTarget, targetsOf, type WireMessage } from '../judge/wire.js';
import { ACL_COMMANDS, aclGrants, aclServers, parseAcl, validateAcl } from '../tree/acl.js';
import { findAccountByServerId } from '../tree/dmacc.js';
import { aclRead, allOf, missing, type Check, type JudgeContext } from './check.js';

/**
 * What an end state came from on the wire: the servers' commands that wrote matching nodes (the client's
 * answer to each with it), and the client's Results for them when the harness read its tree. An end-state
 * verdict cites these, so it names the messages of the implementation it judges.
 */
function wroteOrRead(ctx: JudgeContext, match: (uri: string) => boolean): WireMessage[] {
  const out: WireMessage[] = [];
  ctx.messages.forEach((m, i) => {
    if (!m.syncml) return;
    if (m.event.from !== 'client' && !m.event.phase && targetsOf(m.syncml).some((t) => match(t.target))) {
      out.push(m);
      const answer = ctx.messages.slice(i + 1).find((x) => x.event.link === m.event.link && x.event.from === 'client' && !!x.syncml);
      if (answer) out.push(answer);
    } else if (m.event.from === 'client' && m.event.phase === 'tree-read' && commandsOf(m.syncml).some((c) => c.kind === 'Results' && c.items.some((it) => it.source && match(it.source)))) {
      out.push(m);
    }
  });
  return [...new Set(out)].sort((a, b) => a.seq - b.seq);
}

/** The opening exchange of each delegation session: where each server could have changed the tree. */
const sessionOpenings = (ctx: JudgeContext) => ctx.sessions.filter((s) => !s.messages[0].event.phase).flatMap((s) => s.messages.slice(0, 2));

/** For a rule over every ACL: the ACL writes, and each server's sessions, where it could have written one. */
const aclEvidence = (ctx: JudgeContext) => [...wroteOrRead(ctx, isAclTarget), ...sessionOpenings(ctx)];

/** The DMS↔DMS messages that carry DMS-2's account (AccountResponse, BootstrapOrder): where its content comes from. */
const accountSources = (ctx: JudgeContext) => ctx.messages.filter((m) => m.delegation?.type === 'AccountResponse' || m.delegation?.type === 'BootstrapOrder');

const under = (root: string) => (uri: string) => uri === root || uri.startsWith(`${root}/`) || uri === `${root}?prop=ACL`;

/** Final-state checks read the observed final tree (and the initial one for comparison), never a mock's word. */
export const finalDms2Account: Check = {
  id: 'final-dms2-account',
  title: "DMS-2's DMAcc is on the client",
  requirements: ['FIN-DMS2-ACCOUNT'],
  run(ctx) {
    const f = ctx.flow.facts;
    const acc = findAccountByServerId(ctx.final, f.serverIds.dms2, f.treeLayout.dmAccRoot);
    const expected = `an account with ServerID ${f.serverIds.dms2}, Addr ${f.urls.dms2Dm}, CLCRED and SRVCRED`;
    const p: string[] = [];
    if (!acc) p.push(`no account with ServerID ${f.serverIds.dms2}`);
    else {
      if (acc.account.addr !== f.urls.dms2Dm) p.push(`Addr ${acc.account.addr}`);
      for (const lvl of ['CLCRED', 'SRVCRED']) if (!acc.account.appAuth.some((a) => a.level === lvl)) p.push(`no ${lvl}`);
    }
    return allOf(expected, p, [...accountSources(ctx), ...wroteOrRead(ctx, under(acc?.path ?? f.treeLayout.dmAccRoot))], acc ? `${acc.path} → ${acc.account.addr}` : '');
  },
};

/** The w7 rights on DMS-2's own account node (binding profile §4.3). */
const OWN_ACCOUNT_RIGHTS = ['Get', 'Replace', 'Delete'] as const;

export const finalDms2AccountAcl: Check = {
  id: 'final-dms2-account-acl',
  title: "DMS-2's new account grants DMS-2 Get, Replace and Delete",
  requirements: ['FIN-DMS2-ACCOUNT-ACL'],
  run(ctx) {
    const { dms2 } = ctx.flow.facts.serverIds;
    const acc = findAccountByServerId(ctx.final, dms2, ctx.flow.facts.treeLayout.dmAccRoot);
    const expected = `the account of ${dms2} grants ${dms2} ${OWN_ACCOUNT_RIGHTS.join(', ')} (effective ACL of its <X>)`;
    // No account at all is FIN-DMS2-ACCOUNT's finding.
    if (!acc) return { ...missing(expected, `no account with ServerID ${dms2}`), dependsOn: 'FIN-DMS2-ACCOUNT' };
    const eff = ctx.final.effectiveAcl(acc.path);
    const lacking = aclRead(ctx, 'final', acc.path) ? OWN_ACCOUNT_RIGHTS.filter((c) => !aclGrants(eff.acl, c, dms2)) : [];
    return allOf(
      expected,
      lacking.length ? [`${acc.path}: effective ACL "${eff.acl}" (from ${eff.from}) does not grant ${dms2} ${lacking.join(', ')}`] : [],
      wroteOrRead(ctx, under(acc.path)),
      `${acc.path}: "${eff.acl}" (from ${eff.from})`,
    );
  },
};

export const finalAclDelegated: Check = {
  id: 'final-acl-delegated',
  title: 'Effective ACLs give DMS-2 the rights DMS-1 held on each delegated subtree',
  requirements: ['FIN-ACL-DELEGATED'],
  run(ctx) {
    const { dms1, dms2 } = ctx.flow.facts.serverIds;
    const p: string[] = [];
    const seen: string[] = [];
    for (const root of ctx.flow.facts.subtrees) {
      if (!ctx.final.has(root)) {
        p.push(`${root} is gone`);
        continue;
      }
      if (!aclRead(ctx, 'initial', root) || !aclRead(ctx, 'final', root)) continue;
      const before = parseAcl(ctx.initial.effectiveAcl(root).acl);
      const after = ctx.final.effectiveAcl(root);
      const held = ACL_COMMANDS.filter((c) => before[c]?.includes(dms1));
      const missing = held.filter((c) => !aclGrants(after.acl, c, dms2));
      seen.push(`${root}: ${after.acl} (from ${after.from})`);
      if (missing.length) p.push(`${root}: effective ACL "${after.acl}" (from ${after.from}) does not grant ${dms2} ${missing.join(', ')}`);
    }
    const roots = ctx.flow.facts.subtrees;
    return allOf(`for each delegated subtree, ${dms2} holds every command ${dms1} held there`, p, wroteOrRead(ctx, (u) => roots.some((r) => under(r)(u))), seen.join('; '));
  },
};

const within = (path: string, root: string) => root === '.' || path === root || path.startsWith(`${root}/`);

/**
 * The upper bound of FIN-ACL-DELEGATED: DMS-1 hands over only authority it holds, and only on the delegated
 * subtrees. DMS-2's rights on its own DMAcc account come with the account and are not counted.
 */
export const finalNoOvergrant: Check = {
  id: 'final-no-overgrant',
  invariant: true,
  title: 'DMS-2 gains no right DMS-1 did not hold, and none outside the delegated subtrees',
  requirements: ['FIN-NO-OVERGRANT'],
  run(ctx) {
    const { dms1, dms2 } = ctx.flow.facts.serverIds;
    const subtrees = ctx.flow.facts.subtrees;
    const own = findAccountByServerId(ctx.final, dms2, ctx.flow.facts.treeLayout.dmAccRoot)?.path;
    const p: string[] = [];
    // One finding per ACL that grants it, not one per node inheriting that ACL.
    const reported = new Set<string>();
    let nodes = 0;
    for (const n of ctx.final.toJSON().nodes) {
      if (own && within(n.path, own)) continue;
      nodes++;
      const delegated = subtrees.some((root) => within(n.path, root));
      const before = ctx.initial.effectiveAcl(n.path).acl;
      const after = ctx.final.effectiveAcl(n.path);
      const gained = ACL_COMMANDS.filter((c) => aclGrants(after.acl, c, dms2) && !aclGrants(before, c, dms2) && !(delegated && aclGrants(before, c, dms1)));
      if (!gained.length || reported.has(after.from)) continue;
      reported.add(after.from);
      p.push(
        delegated
          ? `${n.path}: ${dms2} gets ${gained.join(', ')}, which ${dms1} did not hold there (was "${before}", now "${after.acl}" from ${after.from})`
          : `${n.path}, outside the delegated subtrees: ${dms2} gains ${gained.join(', ')} (was "${before}", now "${after.acl}" from ${after.from})`,
      );
    }
    return allOf(
      `${dms2} gets no command ${dms1} did not hold on ${subtrees.join(', ') || 'the delegated subtrees'}, and no new right elsewhere (its own account excepted)`,
      p,
      aclEvidence(ctx),
      `${nodes} nodes: no right beyond what ${dms1} held on the delegated subtrees`,
    );
  },
};

export const finalOthersPreserved: Check = {
  id: 'final-others-preserved',
  invariant: true,
  title: "Other servers' ACL entries are kept",
  requirements: ['FIN-OTHERS-PRESERVED'],
  run(ctx) {
    const others = ctx.flow.facts.serverIds.other;
    const p: string[] = [];
    let kept = 0;
    for (const n of ctx.initial.toJSON().nodes) {
      if (!n.acl || !ctx.final.has(n.path) || !aclRead(ctx, 'final', n.path)) continue;
      const before = parseAcl(n.acl);
      for (const id of others) {
        for (const c of ACL_COMMANDS) {
          if (!before[c]?.includes(id)) continue;
          if (aclGrants(ctx.final.effectiveAcl(n.path).acl, c, id)) kept++;
          else p.push(`${n.path}: ${id} lost ${c} (was "${n.acl}", now "${ctx.final.acl(n.path)}")`);
        }
      }
    }
    return allOf(`every ACL right of ${others.join(', ')} survives the delegation`, p, aclEvidence(ctx), `${kept} rights kept`);
  },
};

export const finalAclSyntax: Check = {
  id: 'final-acl-syntax',
  invariant: true,
  title: 'Every ACL in the final tree is valid',
  requirements: ['FIN-ACL-SYNTAX'],
  run(ctx) {
    const nodes = ctx.final.toJSON().nodes.filter((n) => n.acl);
    const p = nodes.map((n) => ({ n, v: validateAcl(n.acl) })).filter((x) => !x.v.ok).map((x) => `${x.n.path}: "${x.n.acl}" ${(x.v as { reason: string }).reason}`);
    return allOf('every ACL value follows the TND 1.2.1 grammar', p, aclEvidence(ctx), `${nodes.length} ACLs valid`);
  },
};

export const finalDms1Removed: Check = {
  id: 'final-dms1-removed',
  title: "DMS-1's account and ACL entries are gone",
  requirements: ['FIN-DMS1-REMOVED'],
  run(ctx) {
    const { dms1 } = ctx.flow.facts.serverIds;
    const p: string[] = [];
    const acc = findAccountByServerId(ctx.final, dms1, ctx.flow.facts.treeLayout.dmAccRoot);
    if (acc) p.push(`account ${acc.path} still there`);
    for (const n of ctx.final.toJSON().nodes) if (n.acl && validateAcl(n.acl).ok && aclServers(parseAcl(n.acl)).has(dms1)) p.push(`${n.path} still names ${dms1}: ${n.acl}`);
    const account = ctx.flow.facts.dms1AccountPath;
    return allOf(`no account for ${dms1} and ${dms1} in no ACL`, p, wroteOrRead(ctx, (u) => isAclTarget(u) || under(account)(u)), 'account removed, ServerID scrubbed from every ACL');
  },
};

export const finalPermanentHandover: Check = {
  id: 'final-permanent-handover',
  title: 'A permanent delegation leaves DMS-1 no right on the delegated subtrees',
  requirements: ['FIN-PERMANENT-HANDOVER'],
  run(ctx) {
    const { dms1 } = ctx.flow.facts.serverIds;
    const roots = ctx.flow.facts.subtrees;
    const p: string[] = [];
    // One finding per ACL that still names DMS-1, not one per node inheriting it.
    const reported = new Set<string>();
    for (const n of ctx.final.toJSON().nodes.filter((x) => roots.some((r) => within(x.path, r)) && aclRead(ctx, 'final', x.path))) {
      const eff = ctx.final.effectiveAcl(n.path);
      const kept = ACL_COMMANDS.filter((c) => aclGrants(eff.acl, c, dms1) && !eff.acl.split('&').some((e) => e === `${c}=*`));
      if (!kept.length || reported.has(eff.from)) continue;
      reported.add(eff.from);
      p.push(`${n.path}: ${dms1} still holds ${kept.join(', ')} ("${eff.acl}" from ${eff.from})`);
    }
    return allOf(`${dms1} holds no right on ${roots.join(', ')} after handing them over for good`, p, wroteOrRead(ctx, (u) => roots.some((r) => under(r)(u))), `${dms1} holds no right on the delegated subtrees`);
  },
};

export const finalDms1Kept: Check = {
  id: 'final-dms1-kept',
  invariant: true,
  title: "A temporary delegation keeps DMS-1's account and rights",
  requirements: ['FIN-DMS1-KEPT'],
  run(ctx) {
    const { dms1 } = ctx.flow.facts.serverIds;
    const p: string[] = [];
    if (!findAccountByServerId(ctx.final, dms1, ctx.flow.facts.treeLayout.dmAccRoot)) p.push(`no account for ${dms1}`);
    for (const n of ctx.initial.toJSON().nodes) {
      if (!n.acl || !ctx.final.has(n.path) || !aclRead(ctx, 'final', n.path)) continue;
      const before = parseAcl(n.acl);
      for (const c of ACL_COMMANDS) if (before[c]?.includes(dms1) && !aclGrants(ctx.final.effectiveAcl(n.path).acl, c, dms1)) p.push(`${n.path}: ${dms1} lost ${c}`);
    }
    return allOf(`${dms1} keeps its account and every right it had`, p, wroteOrRead(ctx, isAclTarget), 'account and rights kept');
  },
};
