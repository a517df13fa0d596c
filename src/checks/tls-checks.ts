import { isTls12OrNewer } from '../pki/tls-facts.js';
import type { TraceEvent } from '../trace/events.js';
import { allOf, fail, firstOfEachSender, missing, pass, silence, type Check, type JudgeContext, type Outcome } from './check.js';
import { NO_CLIENT_CERTIFICATE, TLS_SERVER_CASES } from '../runner/tls-server-cases.js';
import { isTlsClientCaseProbe } from '../runner/tls-client-cases.js';
import { RENEGOTIATED } from '../runner/tls-renegotiation.js';

const LINK_OF: Record<string, string[]> = {
  'A.1': ['dms1-dms2'],
  'B.1': ['dms1-dms2'],
  'TLS-DMS-MUTUAL': ['dms1-dms2'],
  'TLS-DMS-BS': ['dms2-bootstrap'],
  'TLS-CLIENT-SERVER': ['dms1-client', 'dms2-client'],
  'TLS-CLIENT-BS': ['client-bootstrap'],
};

const onLinks = (ctx: JudgeContext, links: string[]) => ctx.events.filter((e) => links.includes(e.link));

/** Connections refused at the TLS layer, on either side: by a harness server, or by the peer of a harness client. */
export function handshakeFailures(events: readonly TraceEvent[]): TraceEvent[] {
  return events.filter((e) => e.kind === 'tls-error');
}

/** The peer refused or lacked every protocol version on offer (alert 70, "unsupported protocol"). */
const versionRefused = (e: TraceEvent) => /protocol version|unsupported protocol|wrong version number|no protocols available/i.test(e.reason ?? '');

/** The tester's connections of a case (`id`, or `id/<variant>`), one list of events per connection. */
export const connectionsOf = (ctx: JudgeContext, id: string): TraceEvent[][] => {
  const played = ctx.probes.filter((e) => (e.probe === id || e.probe?.startsWith(`${id}/`)) && e.observer.side === 'client' && !isTlsClientCaseProbe(e.probe));
  return [...new Set(played.map((e) => e.exchange))].map((x) => played.filter((e) => e.exchange === x));
};

/**
 * How one tester connection ended. Accepted: answered over HTTP or, where the case is about the handshake,
 * a handshake completed. Refused: a TLS alert, or (a client certificate, which TLS 1.3 checks after the
 * handshake) the connection closed without an answer. Otherwise silent.
 */
export function outcomeOf(c: TraceEvent[], acceptedWhen: 'handshake' | 'answer' | 'renegotiation'): { accepted?: TraceEvent; refused?: TraceEvent } {
  if (acceptedWhen === 'renegotiation') return { accepted: c.find((e) => e.kind === 'tls' && e.note === RENEGOTIATED), refused: c.find((e) => e.kind === 'tls-error') };
  const accepted = c.find((e) => e.kind === 'response' || (acceptedWhen === 'handshake' && e.kind === 'tls'));
  if (accepted) return { accepted };
  const closed = acceptedWhen === 'answer' && c.some((e) => e.kind === 'tls') ? c.find((e) => e.kind === 'error' && !e.reason?.startsWith('TIMEOUT')) : undefined;
  return { refused: c.find((e) => e.kind === 'tls-error') ?? closed };
}

/** The requirement that judges the handshakes of a mutual link. */
export const mutualRequirementOf = (link: string) => (link === 'dms2-bootstrap' ? 'TLS-DMS-BS' : 'TLS-DMS-MUTUAL');

/** Mutual authentication on a server↔server link: every connection verified both ways, none refused. */
export const tlsMutual: Check = {
  id: 'tls-mutual',
  title: 'Mutually authenticated TLS',
  requirements: ['A.1', 'B.1', 'TLS-DMS-MUTUAL', 'TLS-DMS-BS'],
  run(ctx, req) {
    const links = LINK_OF[req.id] ?? ['dms1-dms2'];
    const evs = onLinks(ctx, links);
    const expected = `every TLS connection on ${links.join(', ')} authenticates both ends with certificates from the pre-exchanged trust anchors`;
    const conns = evs.filter((e) => e.kind === 'tls');
    // A handshake that failed over the protocol version is TLS-VERSION's to judge, not this rule's.
    const failures = handshakeFailures(evs);
    const overVersion = failures.filter(versionRefused);
    const refused = failures.filter((e) => !versionRefused(e));
    if (!conns.length && !refused.length) {
      if (overVersion.length) return { ...missing(expected, `no TLS connection on ${links.join(', ')}: ${overVersion.length} refused over the protocol version`, overVersion), dependsOn: 'TLS-VERSION' };
      return missing(expected, `no TLS connection on ${links.join(', ')}`);
    }
    const problems = [
      ...refused.map((e) => `connection refused (seq ${e.seq}): ${e.reason}`),
      ...conns.filter((e) => e.observer.side === 'server' && !(e.tls?.peerCertificate && e.tls.authorized)).map((e) => `seq ${e.seq}: client not authenticated (${e.tls?.authorizationError ?? 'no certificate'})`),
      ...conns.filter((e) => !e.tls?.authorized).filter((e) => e.observer.side === 'client').map((e) => `seq ${e.seq}: server not authenticated`),
    ];
    // Connections the harness opened without a certificate: a server that answered one does not require it.
    const probed = connectionsOf(ctx, NO_CLIENT_CERTIFICATE).filter((c) => links.includes(c[0].link)).map((c) => outcomeOf(c, 'answer'));
    const accepted = probed.map((o) => o.accepted).filter((e): e is TraceEvent => !!e);
    const refusedProbe = accepted.length ? [] : probed.map((o) => o.refused).filter((e): e is TraceEvent => !!e);
    problems.push(...accepted.map((e) => `${e.from} accepted a TLS connection without a client certificate and answered HTTP ${e.http?.status} (seq ${e.seq})`));
    const required = refusedProbe.length ? `; a connection without a client certificate was refused (seq ${refusedProbe.map((e) => e.seq).join(', ')}: ${refusedProbe[0].reason})` : '';
    const evidence = accepted.length ? accepted : problems.length ? [...refused, ...conns].slice(0, 8) : [...conns.slice(0, 8), ...refusedProbe];
    return allOf(expected, problems, evidence, `${conns.length} connections, both ends authenticated (${conns[0]?.tls?.peerSubject ?? ''})${required}`);
  },
};

export const tlsVersion: Check = {
  id: 'tls-version',
  title: 'TLS 1.2 or newer on every link',
  requirements: ['TLS-VERSION'],
  run(ctx) {
    const conns = ctx.events.filter((e) => e.kind === 'tls');
    const expected = 'TLSv1.2 or TLSv1.3 on every connection';
    // A handshake that failed over the protocol version shows a peer without TLS 1.2 or newer.
    const refused = handshakeFailures(ctx.events).filter(versionRefused);
    if (!conns.length && !refused.length) return missing(expected, 'no TLS connection observed');
    const old = conns.filter((e) => !isTls12OrNewer(e.tls?.protocol));
    const problems = [...refused.map((e) => `${e.link} seq ${e.seq}: handshake failed over the protocol version (${e.reason})`), ...old.map((e) => `${e.link} seq ${e.seq}: ${e.tls?.protocol}`)];
    return allOf(expected, problems, problems.length ? [...refused, ...old] : firstOfEachSender(conns), `${conns.length} connections: ${[...new Set(conns.map((e) => e.tls?.protocol))].join(', ')}`);
  },
};

export const tlsTrustAnchor: Check = {
  id: 'tls-trust-anchor',
  title: 'Peer certificates chain to the configured trust anchor',
  requirements: ['TLS-TRUST-ANCHOR'],
  run(ctx) {
    const withPeer = ctx.events.filter((e): e is TraceEvent => (e.kind === 'tls' || e.kind === 'tls-error') && !!e.tls?.peerCertificate);
    const expected = 'every certificate presented verifies against the trust anchors, and is the pinned one where a certificate is configured';
    if (!withPeer.length) return missing(expected, 'no certificate presented');
    // A configured certificate is pinned: another one, even from the right CA, is refused (PIN_MISMATCH).
    const bad = withPeer.filter((e) => !e.tls!.authorized || e.reason?.startsWith('PIN_MISMATCH'));
    const why = (e: TraceEvent) => (e.tls!.authorized ? e.reason!.slice('PIN_MISMATCH: '.length) : `${e.tls!.peerSubject} (${e.tls!.authorizationError ?? 'not authorized'})`);
    return allOf(expected, bad.map((e) => `${e.link} seq ${e.seq}: ${why(e)}`), bad.length ? bad : firstOfEachSender(withPeer), `${withPeer.length} certificates verified`);
  },
};

/** Server↔client traffic runs over TLS 1.2+ with the server's certificate verified. */
export const tlsOnLink: Check = {
  id: 'tls-on-link',
  title: 'TLS on the link',
  requirements: ['TLS-CLIENT-SERVER', 'TLS-CLIENT-BS'],
  run(ctx, req): Outcome {
    const links = LINK_OF[req.id];
    const msgs = ctx.events.filter((e) => links.includes(e.link) && e.kind === 'request');
    const expected = `every message on ${links.join(', ')} over TLS 1.2 or newer`;
    const refused = handshakeFailures(onLinks(ctx, links)).filter(versionRefused);
    if (!msgs.length && !refused.length) return missing(expected, `no message on ${links.join(', ')}`);
    const bad = [...refused, ...msgs.filter((e) => !isTls12OrNewer(e.tls?.protocol))];
    return bad.length
      ? fail(expected, bad.map((e) => `${e.link} seq ${e.seq}: ${e.kind === 'request' ? (e.tls?.protocol ?? 'no TLS') : `handshake failed over the protocol version (${e.reason})`}`).join('; '), bad)
      : allOf(expected, [], firstOfEachSender(ctx.events.filter((e) => links.includes(e.link) && (e.kind === 'request' || e.kind === 'response'))), `${msgs.length} messages over ${[...new Set(msgs.map((e) => e.tls?.protocol))].join(', ')}`);
  },
};

/** Whether a role under test listens anywhere the tester could connect: a server, or a client with a push endpoint. */
const serverEndpointUnderTest = (ctx: JudgeContext) =>
  (['dms1', 'dms2', 'bootstrap'] as const).some((r) => ctx.flow.roles[r] === 'real') || (ctx.flow.roles.client === 'real' && !!ctx.flow.facts.urls.clientPush) || Object.values(ctx.flow.roles).every((m) => m === 'mock');

/**
 * The tester's cases against a role as TLS server (NEG-TLS-*): each endpoint the case was played against must
 * refuse it at the TLS layer. An HTTP answer means it accepted; no answer at all is silence.
 */
export const tlsCaseRefused: Check = {
  id: 'tls-case-refused',
  title: 'Every TLS server endpoint refuses the case at the handshake',
  requirements: TLS_SERVER_CASES.map((c) => c.id),
  run(ctx, req): Outcome {
    const c = TLS_SERVER_CASES.find((x) => x.id === req.id)!;
    const expected = `every ${c.endpoints === 'mutual' ? 'mutually authenticated ' : ''}TLS server endpoint refuses a client that offers ${c.offers}, ${c.acceptedWhen === 'handshake' ? 'during the handshake' : c.acceptedWhen === 'answer' ? 'without answering it' : 'or speaks only TLS 1.3'}`;
    // Each connection is judged where the endpoint's role is (its first event goes to it).
    const connections = connectionsOf(ctx, req.id).filter((x) => ctx.judges(x[0].to)).map((events) => ({ events, ...outcomeOf(events, c.acceptedWhen) }));
    // With no TLS server endpoint under test in the assignment (a client reached only through its trigger
    // driver listens nowhere), there is nothing to play the case against.
    if (!connections.length && !serverEndpointUnderTest(ctx)) return { verdict: 'NOT_OBSERVABLE', reason: 'not observable: no role under test has a TLS server endpoint in this assignment', evidence: [] };
    if (!connections.length) return missing(expected, 'the case was played against no endpoint');
    const accepted = connections.filter((x) => x.accepted);
    const refused = connections.filter((x) => x.refused);
    const silent = connections.filter((x) => !x.accepted && !x.refused);
    // A server that took a connection with no certificate at all is that rule's finding; a bad certificate
    // it then also takes follows from it.
    const noCertificate = ctx.probes.filter((e) => e.probe === NO_CLIENT_CERTIFICATE && e.kind === 'response');
    const explained = accepted.filter((x) => c.certificates && noCertificate.some((n) => n.from === x.events[0].to && n.link === x.events[0].link));
    if (explained.length && explained.length === accepted.length) {
      return { ...missing(expected, `${[...new Set(explained.map((x) => x.events[0].to))].join(', ')} took a connection without any client certificate`, explained.map((x) => x.accepted!)), dependsOn: mutualRequirementOf(explained[0].events[0].link) };
    }
    if (accepted.length) {
      const what = (e: TraceEvent) =>
        e.kind === 'response' ? `answered HTTP ${e.http?.status}` : e.note === RENEGOTIATED ? `went through with a client-initiated renegotiation (${e.tls?.protocol})` : `completed a handshake with ${e.tls?.protocol ?? 'an old version'}`;
      const variant = (e: TraceEvent) => (e.probe?.includes('/') ? ` to a client certificate that is ${e.probe.split('/')[1]}` : '');
      return fail(expected, accepted.map(({ events, accepted: e }) => `${events[0].to} (${events[0].link}) ${what(e!)}${variant(events[0])} (seq ${e!.seq})`).join('; '), accepted.map((x) => x.accepted!));
    }
    if (silent.length) return silence(expected, `${silent.length} endpoint(s) neither refused nor answered`, silent.flatMap((x) => x.events));
    // A refusal is cited with the handshake it ended, so the endpoint's own part is in the evidence.
    const cited = refused.flatMap((x) => x.events.filter((e) => e.kind === 'tls' || e === x.refused));
    const at = [...new Set(refused.map((x) => `${x.events[0].to} ${x.events[0].link}`))];
    return pass(expected, `${refused.length} connection(s) refused at ${at.length} endpoint(s): ${at.join(', ')} (${refused[0].refused!.reason})`, cited);
  },
};
