import { expect, test } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/catalogue.js';
import { requirementRefs } from '../../src/report/build-report.js';
import { refIn } from '../../src/report/model.js';

const entries = loadCatalogue().entries;
const refOf = (approaches: Array<'A' | 'B'>, id: string) => requirementRefs(entries, approaches).find((r) => r.id === id)!;

test('a run of both approaches states the provenance of each where it differs: a FAIL in an approach A flow is against the reconstruction', () => {
  const both = refOf(['A', 'B'], 'FIN-DMS2-ACCOUNT');
  expect(both.provenance).toBe('spec');
  expect(both.provenanceByApproach).toEqual({ A: 'reconstructed' });
  expect(refIn(both, 'A').provenance).toBe('reconstructed');
  expect(refIn(both, 'B').provenance).toBe('spec');
  // One approach run: its provenance is the requirement's, nothing per approach to add.
  const onlyA = refOf(['A'], 'FIN-DMS2-ACCOUNT');
  expect([onlyA.provenance, onlyA.provenanceByApproach]).toEqual(['reconstructed', undefined]);
  expect(refOf(['A', 'B'], 'A.1').provenanceByApproach).toBeUndefined();
});
