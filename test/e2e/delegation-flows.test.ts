import { beforeAll, describe, expect, test } from 'vitest';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { aclGrants, aclServers, parseAcl } from '../../src/tree/acl.js';
import { findAccountByServerId } from '../../src/tree/dmacc.js';
import { DmTree } from '../../src/tree/tree.js';
import { isTesterEvent } from '../../src/trace/events.js';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

describe.each(defaultScenarios())('delegation $id over real TLS', (scenario) => {
  let flow: FlowResult;
  let initial: DmTree;
  let final: DmTree;
  beforeAll(async () => {
    flow = await runFlow({ scenario, pki });
    initial = DmTree.fromJSON(flow.initialTree);
    final = DmTree.fromJSON(flow.finalTree);
  });

  const { dms1, dms2, other } = { dms1: 'dms1.example', dms2: 'dms2.example', other: 'ops.example' };
  const removed = scenario.removeAccount && scenario.delegationType.duration === 'permanent';

  test('the flow completes', () => {
    expect(flow.error).toBeUndefined();
    expect(flow.status).toBe('completed');
  });

  test("DMS-2's account is on the client, pointing at DMS-2", () => {
    const acc = findAccountByServerId(final, dms2);
    expect(acc?.account.addr).toBe(flow.facts.urls.dms2Dm);
    expect(acc?.account.appAuth.map((a) => a.level).sort()).toEqual(['CLCRED', 'SRVCRED']);
  });

  test('the effective ACL of each delegated subtree gives DMS-2 the commands DMS-1 held', () => {
    expect(flow.facts.subtrees.length).toBeGreaterThan(0);
    for (const root of flow.facts.subtrees) {
      const before = parseAcl(initial.effectiveAcl(root).acl);
      const after = parseAcl(final.effectiveAcl(root).acl);
      const held = (['Add', 'Delete', 'Exec', 'Get', 'Replace'] as const).filter((c) => before[c]?.includes(dms1));
      expect(held.length, root).toBeGreaterThan(0);
      for (const c of held) expect(aclGrants(after, c, dms2), `${c} on ${root}`).toBe(true);
    }
  });

  test("other servers' ACL entries are kept", () => {
    for (const n of flow.initialTree.nodes) {
      if (!n.acl || !final.has(n.path)) continue;
      const before = parseAcl(n.acl);
      const after = parseAcl(final.acl(n.path));
      for (const [cmd, ids] of Object.entries(before)) {
        if (ids.includes(other)) expect(after[cmd as keyof typeof after], `${cmd} on ${n.path}`).toContain(other);
      }
    }
  });

  test(removed ? "DMS-1's account and every ACL entry naming it are gone" : "DMS-1's account and rights are kept", () => {
    const acc = findAccountByServerId(final, dms1);
    const named = final.toJSON().nodes.filter((n) => n.acl && aclServers(parseAcl(n.acl)).has(dms1));
    if (removed) {
      expect(acc).toBeUndefined();
      expect(named.map((n) => n.path)).toEqual([]);
    } else {
      expect(acc?.path).toBe('./DMAcc/dms1');
      for (const root of flow.facts.subtrees) expect(aclServers(parseAcl(final.effectiveAcl(root).acl)).has(dms1), root).toBe(true);
    }
  });

  test('the trace lists every message with its link and TLS facts', () => {
    // The flow's own traffic: the tester's cases come with certificates and links of their own.
    const messages = flow.events.filter((e) => !isTesterEvent(e) && (e.kind === 'request' || e.kind === 'response'));
    expect(messages.length).toBeGreaterThan(10);
    for (const e of messages) {
      expect(e.link, `event ${e.seq}`).not.toBe('unknown');
      expect(['TLSv1.2', 'TLSv1.3'], `event ${e.seq}`).toContain(e.tls?.protocol);
      expect(e.tls?.cipher, `event ${e.seq}`).toBeTruthy();
    }
    const links = new Set(messages.map((e) => e.link));
    expect(links).toContain('dms1-dms2');
    expect(links).toContain('dms1-client');
    expect(links).toContain('dms2-client');
    if (scenario.approach === 'B') expect(links).toContain('client-bootstrap');
    if (scenario.approach === 'B' && scenario.bootstrap === 'separate') expect(links).toContain('dms2-bootstrap');
    // DMS↔DMS traffic runs on mutually authenticated connections with the run's certificates.
    for (const e of messages.filter((m) => m.link === 'dms1-dms2' && m.kind === 'request')) {
      expect(e.tls?.authorized).toBe(true);
      expect([pki.roles.dms1.fingerprint256, pki.roles.dms2.fingerprint256]).toContain(e.tls?.peerFingerprint256);
    }
    const types = messages.map((e) => (e.body?.parsed?.value as { type?: string } | undefined)?.type).filter(Boolean);
    expect(types).toContain('DelegationInitiationRequest');
    expect(types).toContain('ClientPrepared');
    expect(types).toContain('DelegationComplete');
    expect(types).toContain(scenario.approach === 'B' ? 'BootstrapComplete' : 'AccountResponse');
  });
});
