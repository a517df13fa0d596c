import { beforeAll, expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { attributeBySessionId, delegationSessionId } from '../../src/judge/attribute.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { createPki } from '../../src/pki/pki.js';
import { EveryCasePlayed } from '../../src/runner/every-case-played.js';
import { runFlow, type FlowResult } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';
import { isTesterEvent } from '../../src/trace/events.js';

const catalogue = loadCatalogue();
const verdict = (f: FlowResult, id: string) => judgeFlow(f, catalogue.entries).find((r) => r.requirementId === id)!.verdict;
let first: FlowResult;
let second: FlowResult;
beforeAll(async () => {
  const pki = await createPki();
  const [a, b] = defaultScenarios().slice(0, 2);
  first = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: a, pki });
  second = await runFlow({ testerPlayed: new EveryCasePlayed(), scenario: b, pki });
});

test("a late DelegationComplete recorded during the next flow is judged in its own delegation's flow", () => {
  // What a real DMS-2 that repeats DelegationComplete 200 ms later looks like: its exchange lands in the next flow.
  const complete = first.events.find((e) => !isTesterEvent(e) && e.kind === 'request' && (e.body?.parsed?.value as { type?: string })?.type === 'DelegationComplete')!;
  const exchange = first.events.filter((e) => e.link === complete.link && e.exchange === complete.exchange);
  const base = Math.max(...second.events.map((e) => e.seq));
  second.events.push(...exchange.map((e, i) => ({ ...e, seq: base + i + 1, exchange: `late-${e.exchange}` })));
  expect(verdict(second, 'PRF-SESSION-ID')).toBe('FAIL');

  const changed = attributeBySessionId([first, second]);
  expect([...changed].sort()).toEqual([first.scenario.id, second.scenario.id].sort());
  expect(second.events.some((e) => e.exchange === `late-${complete.exchange}`)).toBe(false);
  const moved = first.events.filter((e) => e.attributedFrom);
  expect(moved.length).toBe(exchange.length);
  expect(moved[0].attributedFrom!.flow).toBe(second.scenario.id);
  // The next flow is clean again; the repeated message is its own delegation's fault.
  expect(verdict(second, 'PRF-SESSION-ID')).toBe('PASS');
  expect(verdict(first, 'PRF-ONCE-PER-DELEGATION')).toBe('FAIL');
  expect(delegationSessionId(first)).not.toBe(delegationSessionId(second));
});
