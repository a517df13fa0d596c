import { expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { judgeFlow } from '../../src/judge/judge.js';
import { targetsOf, wireMessages } from '../../src/judge/wire.js';
import { runFlow } from '../../src/runner/run-flow.js';
import { defaultScenarios } from '../../src/runner/scenario.js';

test('the unauthorised-Replace probe writes a node the client may write, not a read-only DevInfo leaf', async () => {
  for (const id of ['A-full-temporary', 'B-partial-permanent']) {
    const flow = await runFlow({ scenario: defaultScenarios().find((s) => s.id === id)! });
    const probe = wireMessages(flow.events).filter((m) => m.event.phase === 'probe' && m.direction === 'response' && m.syncml);
    const replaces = probe.flatMap((m) => targetsOf(m.syncml!, 'Replace'));
    expect(replaces).toHaveLength(1);
    expect(replaces[0].target).not.toMatch(/^\.\/DevInfo\//);
    expect(judgeFlow(flow, loadCatalogue().entries).find((r) => r.requirementId === 'SES-ACL-425')!.verdict).toBe('PASS');
  }
});
