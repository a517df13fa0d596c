/**
 * One worker's share of a fleet: its clients' flows, at most `concurrency` at a time, each judged as soon as
 * it ends and then dropped, so what stays is the tally and the few failing clients it names.
 */
import { MUTANTS } from '../../mocks/mutants.js';
import { loadCatalogue, type CatalogueEntry } from '../catalogue/catalogue.js';
import { judgeFlow } from '../judge/judge.js';
import { buildReport } from '../report/build-report.js';
import type { RequirementResult } from '../report/model.js';
import { runFlow, type FlowResult, type FlowStatus } from '../runner/run-flow.js';
import { loadClientFixture } from '../tree/client-fixture.js';
import { EveryCasePlayed } from '../runner/every-case-played.js';
import { fixtureForDevice } from './fleet-fixture.js';
import type { ShareInput } from './fleet-messages.js';
import { fleetClient, fleetEntries, type FleetClient } from './fleet-plan.js';
import { FleetTally, type ClientDetail, type TallyData } from './fleet-tally.js';
import { runLimited } from '../runner/run-limited.js';
import { redactJson, redactTraceFile, runSecrets } from '../report/run-secrets.js';
import { existsSync } from 'node:fs';

const NONE: ReadonlySet<string> = new Set();

export async function runShare(input: ShareInput, judged: (status: FlowStatus) => void = () => {}): Promise<TallyData> {
  const entries = fleetEntries(loadCatalogue().entries, input.only);
  const mutant = input.mutant === undefined ? undefined : MUTANTS.find((m) => m.id === input.mutant);
  if (input.mutant !== undefined && !mutant) throw new Error(`unknown mutant "${input.mutant}"`);
  const device = loadClientFixture();
  const tally = new FleetTally(input.keep);
  const testerPlayed = new EveryCasePlayed();
  const secretsOf = new Map<string, ReadonlySet<string>>();
  await runLimited(input.indices, input.concurrency, async (index) => {
    const client = fleetClient(index, input.scenarios);
    let status: FlowStatus = 'error';
    try {
      const flow = await runFlow({
        scenario: client.scenario,
        pki: input.pki,
        config: input.config,
        traceFile: input.traceFile,
        variation: mutant?.variation,
        testerPlayed,
        fixture: fixtureForDevice(device, client.devId),
      });
      const results = judgeFlow(flow, entries);
      status = flow.status;
      // Each client's secrets, kept until its lines of the worker's trace are written again without them.
      const secrets = input.showSecrets ? NONE : runSecrets([flow]);
      if (secrets.size) secretsOf.set(flow.scenario.id, secrets);
      tally.add({ ...client, scenario: client.baseScenario }, flow, results, () => redactJson(detailOf(client, flow, results, entries, input), secrets));
    } catch (err) {
      tally.harnessError(client, err);
    }
    judged(status);
  });
  if (secretsOf.size && existsSync(input.traceFile)) await redactTraceFile(input.traceFile, (flowId) => secretsOf.get(flowId ?? '') ?? NONE);
  return tally.data();
}

/** A failing client as the report shows it: its flow as build-report makes it, with its results. */
function detailOf(client: FleetClient, flow: FlowResult, results: RequirementResult[], entries: readonly CatalogueEntry[], input: ShareInput): ClientDetail {
  const report = buildReport({ runId: input.runId, startedAt: new Date(Date.now() - flow.durationMs), flows: [flow], results, entries, roles: flow.roles, selection: input.selection, errors: [] });
  return { index: client.index, devId: client.devId, scenario: client.baseScenario, flow: report.flows[0], results };
}
