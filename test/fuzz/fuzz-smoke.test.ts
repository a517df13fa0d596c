import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMock, type RunningMock } from '../../src/cli/mock-command.js';
import { ROLES, type Role } from '../../src/model/roles.js';
import { createPki } from '../../src/pki/pki.js';
import { parseBody } from '../../src/trace/parse-body.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { loadClientFixture } from '../../src/tree/client-fixture.js';
import { fuzzInputs, validInput } from '../support/fuzz-inputs.js';
import { allFigures, fuzzMocks, sendInput, type Figures, type FuzzTarget } from '../support/fuzz-run.js';
import { fuzzTargets, fuzzWiring, type MockUrls } from '../support/fuzz-targets.js';

/**
 * The four reference mocks, started in-process as `dmdc mock` serves them, each endpoint fed seeded hostile
 * input over correct TLS: none crashes or hangs, none answers 5xx, and each answer is in the mock's trace,
 * with a reason where it refuses. `npm run fuzz` plays many more inputs and prints the figures.
 */
const COUNT = 300;
const SEED = 20_240_601;
// Limits short enough that a stalled input is cut quickly, long enough that a TLS handshake on a loaded
// machine (headersMs includes it) is never cut; the budget is what "no hang" means here.
const LIMITS = { headersMs: 1_000, requestMs: 2_000 };
const BUDGET_MS = 5_000;
const NAMES = ['dms1 /dm', 'dms1 /delegation', 'dms2 /dm', 'dms2 /bootstrap', 'dms2 /delegation', 'bootstrap /bootstrap', 'bootstrap /bootstrap-order', 'client /push'];

const fixture = loadClientFixture();
const traces = Object.fromEntries(ROLES.map((r) => [r, new TraceRecorder()])) as Record<Role, TraceRecorder>;
const running: RunningMock[] = [];
let targets: FuzzTarget[] = [];
const results = new Map<string, Figures>();

beforeAll(async () => {
  const pki = await createPki();
  const urls = {} as MockUrls;
  for (const role of ROLES) {
    const env = { identity: pki.roles[role], trustAnchors: [pki.ca.cert], trace: traces[role], parseBody, budgets: { requestMs: 2_000 }, recordOutbound: () => true, limits: LIMITS };
    const mock = await startMock({ role, env, pki, fixture, variation: {} });
    running.push(mock);
    urls[role] = mock.urls;
  }
  const wiring = fuzzWiring(urls, fixture);
  for (const m of running) m.control.configure(wiring[m.control.role]);
  targets = fuzzTargets(urls, pki, fixture);
  const outcomes = await fuzzMocks(targets, (t, i) => fuzzInputs(t, fixture, COUNT, SEED + i), { budgetMs: BUDGET_MS, concurrency: 8 });
  // A request answered before its body came whole is recorded once its connection is done: a moment later.
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [t, f] of await allFigures(outcomes, (mock) => traces[mock].events())) results.set(t.name, f);
}, 60_000);
afterAll(async () => {
  await Promise.all(running.map((m) => m.close()));
});

describe.each(NAMES)('%s under hostile input', (name) => {
  test('no hang, no 5xx, no answer a client cannot read, nothing refused at TLS', () => {
    const f = results.get(name)!;
    expect(f.inputs).toBe(COUNT);
    expect({ hangs: f.hangs, fiveXX: f.fiveXX, hugeHeaders: f.hugeHeaders, tlsRefused: f.tlsRefused }).toEqual({ hangs: 0, fiveXX: 0, hugeHeaders: 0, tlsRefused: 0 });
  });

  test('every input that reached HTTP is in the trace with its answer, and a reason where refused', () => {
    const f = results.get(name)!;
    expect(f.untraced).toEqual([]);
    expect(f.traced).toBe(f.httpLevel);
  });

  test('still serves: the unmutated message is answered without 5xx', async () => {
    const t = targets.find((x) => x.name === name)!;
    const o = await sendInput(t, validInput(t, fixture), BUDGET_MS);
    expect(o.status).toBeGreaterThanOrEqual(200);
    expect(o.status).toBeLessThan(500);
  });
});
