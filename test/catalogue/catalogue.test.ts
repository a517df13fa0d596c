import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CatalogueError,
  DEFAULT_CATALOGUE_FILE,
  findEntry,
  loadCatalogue,
  parseCatalogue,
  provenanceFor,
  type CatalogueEntry,
} from '../../src/catalogue/catalogue.js';

const catalogue = loadCatalogue();
const raw = JSON.parse(readFileSync(DEFAULT_CATALOGUE_FILE, 'utf8')) as { $schema: string; entries: CatalogueEntry[] };

const B_STEPS = ['B.1', 'B.2', 'B.3', 'B.4', 'B.5', 'B.6', 'B.7', 'B.8', 'B.8b', 'B.9', 'B.10'];
const A_STEPS = ['A.1', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7', 'A.8'];

function entry(id: string): CatalogueEntry {
  const e = findEntry(catalogue, id);
  if (!e) throw new Error(`catalogue has no ${id}`);
  return e;
}

function rejection(data: unknown): CatalogueError {
  try {
    parseCatalogue(data, 'test');
  } catch (e) {
    if (e instanceof CatalogueError) return e;
    throw e;
  }
  throw new Error('the catalogue was accepted');
}

const clone = (): { $schema: string; version: string; entries: Record<string, unknown>[] } =>
  JSON.parse(JSON.stringify(raw)) as { $schema: string; version: string; entries: Record<string, unknown>[] };

describe('the bundled catalogue', () => {
  it('loads, validates and points editors at its schema', () => {
    expect(catalogue.version).toBe('1.0');
    expect(catalogue.entries.length).toBe(90);
    expect(raw.$schema).toBe('./catalogue.schema.json');
  });

  it('has unique ids', () => {
    const ids = catalogue.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.for([...B_STEPS, ...A_STEPS])('has step %s as a step entry of its approach', (id) => {
    const e = entry(id);
    expect(e.category).toBe('step');
    expect(e.step).toBe(id);
    expect(e.approach).toBe(id[0]);
    expect(e.applicability.approach).toBe(id[0]);
  });

  it('has no step entries beyond A.1–A.8, B.1–B.10 and B.8b', () => {
    const steps = catalogue.entries.filter((e) => e.category === 'step').map((e) => e.id);
    expect(steps.sort()).toEqual([...B_STEPS, ...A_STEPS].sort());
  });

  const erratum = (e: CatalogueEntry): string[] => (e.notes ?? []).filter((n) => n.startsWith('Numbering erratum'));

  it.for([...B_STEPS, 'A.1', 'A.2', 'A.5'])('%s carries the seed-004 numbering erratum', (id) => {
    const notes = erratum(entry(id));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toBe(erratum(entry('B.1'))[0]);
    expect(notes[0]).toContain('5.2.1.1–5.2.1.10');
    expect(notes[0]).toContain('"5.2.1.5"');
  });

  it('does not put the erratum on the reconstructed approach A steps', () => {
    for (const id of ['A.3', 'A.4', 'A.6', 'A.7', 'A.8']) expect(erratum(entry(id))).toEqual([]);
  });

  it('notes the garbled step-8b heading on B.8b', () => {
    expect(entry('B.8b').notes?.some((n) => n.includes('DM Client Delegation complete'))).toBe(true);
  });

  it('marks A.3, A.4, A.6, A.7 and A.8 reconstructed and A.1, A.2, A.5 spec', () => {
    for (const id of ['A.3', 'A.4', 'A.6', 'A.7', 'A.8']) expect(entry(id).provenance).toBe('reconstructed');
    for (const id of ['A.1', 'A.2', 'A.5']) expect(entry(id).provenance).toBe('spec');
  });

  // Sentences of seed 004 (the change request to spec §5.2.2), as printed.
  it.for([
    ['B.3', 'The DMS-1 requests the DMS-2’s Bootstrap Server URL to the DMS-2. The DMS-2 sends its Bootstrap Server URL to the DMS-1.'],
    ['B.6', 'After getting bootstrapped, the DM Client initiates a DM session with the DMS-2.'],
    ['B.7', 'The DMS-2 notifies the DMS-1 that the DM Client has been successfully bootstrapped.'],
    ['B.8', 'The DMS-1 updates the DM Tree ACLs accordingly to the DMS-2 serverId.'],
    ['B.8b', 'The flow for the Step 8b is identical to what is being described in the sections 5.2.1.5.'],
    ['B.9', 'The DMS-1 notifies the DMS-2 that the DM Client preparation is done.'],
    ['B.10', 'The DMS-2 notifies the DMS-1 that the delegation process is complete.'],
  ] as const)('quotes seed 004 verbatim in %s', ([id, sentence]) => {
    expect(entry(id).text).toBe(sentence);
    expect(entry(id).provenance).toBe('spec');
  });

  it('labels approach B sections by step with the printed number beside it', () => {
    expect(entry('B.7').section).toBe('OMA-TS-DM_Server_Delegation_Protocol-V1_3 §5.2.2 step 7 (printed 5.2.1.6)');
    expect(entry('B.8b').section).toContain('(printed 5.2.1.8)');
    expect(entry('B.10').section).toContain('(printed 5.2.1.10)');
  });

  it('makes the optional account removal MAY and only for permanent delegations that remove the account', () => {
    for (const id of ['B.8b', 'A.5']) {
      const e = entry(id);
      expect(e.severity).toBe('MAY');
      expect(e.applicability).toMatchObject({ removeAccount: true, duration: 'permanent', feature: 'step-8b' });
    }
    expect(entry('B.8b').checks).toEqual(['step-observed', 'step-content']);
  });

  it('gives step 1 of each approach the mutual-TLS check', () => {
    expect(entry('B.1').checks).toEqual(['step-observed', 'tls-mutual']);
    expect(entry('A.1').checks).toEqual(['step-observed', 'tls-mutual']);
  });

  it('assigns the roles of the spec-digest step table', () => {
    expect(entry('B.5').roles).toEqual(['client', 'bootstrap']);
    expect(entry('B.6').roles).toEqual(['client', 'dms2']);
    expect(entry('B.8').roles).toEqual(['dms1', 'client']);
    expect(entry('B.10').roles).toEqual(['dms2', 'dms1']);
  });

  it('ties the ordering, TLS and final-state entries to their scenario facts', () => {
    expect(entry('ORD-8B-LAST').applicability).toEqual({ removeAccount: true });
    expect(entry('ORD-8B-LAST').severity).toBe('SHOULD');
    expect(entry('ORD-B-NO-ACL-BEFORE-B.7').provenance).toBe('reconstructed');
    expect(entry('TLS-DMS-BS').applicability).toEqual({ approach: 'B', bootstrap: 'separate' });
    expect(entry('FIN-DMS1-REMOVED').applicability).toEqual({ duration: 'permanent', removeAccount: true });
    expect(entry('FIN-DMS1-KEPT').applicability).toEqual({ duration: 'temporary' });
    for (const e of catalogue.entries.filter((x) => x.category === 'ordering')) expect(e.checks).toEqual(['order']);
    for (const e of catalogue.entries.filter((x) => x.id.startsWith('ORD-B.'))) {
      expect(e.applicability.approach).toBe('B');
      expect(e.provenance).toBe('spec');
    }
    for (const e of catalogue.entries.filter((x) => x.id.startsWith('ORD-A.'))) {
      expect(e.applicability.approach).toBe('A');
      expect(e.provenance).toBe('reconstructed');
    }
  });

  it('reports the DMS-2 account and delegated ACL as reconstructed in approach A flows only', () => {
    for (const id of ['FIN-DMS2-ACCOUNT', 'FIN-ACL-DELEGATED']) {
      expect(provenanceFor(entry(id), 'B')).toBe('spec');
      expect(provenanceFor(entry(id), 'A')).toBe('reconstructed');
    }
    expect(provenanceFor(entry('A.4'), 'A')).toBe('reconstructed');
  });

  it('marks every binding-profile entry as profile', () => {
    const profile = catalogue.entries.filter((e) => e.category === 'profile');
    expect(profile.map((e) => e.id)).toEqual(['PRF-CONTENT-TYPE', 'PRF-SCHEMA', 'PRF-SESSION-ID', 'PRF-RESPONSES', 'PRF-ONCE-PER-DELEGATION']);
    for (const e of profile) expect(e.provenance).toBe('profile');
  });

  it('gives every entry a one-line title', () => {
    for (const e of catalogue.entries) {
      expect(e.title, e.id).not.toMatch(/[\r\n]/);
      expect(e.title.trim(), e.id).toBe(e.title);
    }
  });
});

describe('catalogue validation', () => {
  it('rejects a bad provenance, naming the entry and the field', () => {
    const data = clone();
    data.entries[3]!['provenance'] = 'guess';
    const err = rejection(data);
    expect(err.problems).toEqual([
      'entries[3] (B.4).provenance must be one of spec, reconstructed, profile, found "guess"',
    ]);
    expect(err.message).toContain('invalid requirement catalogue test');
  });

  it('rejects an entry without checks and one with an empty checks list', () => {
    const data = clone();
    delete data.entries[0]!['checks'];
    data.entries[1]!['checks'] = [];
    const err = rejection(data);
    expect(err.problems).toContain('entries[0] (B.1): missing required field "checks"');
    expect(err.problems).toContain('entries[1] (B.2).checks must list at least 1 item');
  });

  it('rejects unknown fields, bad enums in applicability, and malformed ids', () => {
    const data = clone();
    data.entries[0]!['colour'] = 'red';
    data.entries[2]!['applicability'] = { approach: 'C' };
    data.entries[5]!['id'] = 'b 6';
    const err = rejection(data);
    expect(err.problems).toContain('entries[0] (B.1): unknown field "colour"');
    expect(err.problems).toContain('entries[2] (B.3).applicability.approach must be one of A, B, found "C"');
    expect(err.problems.some((p) => p.startsWith('entries[5] (b 6).id must match'))).toBe(true);
  });

  it('rejects a missing entries list at the top level', () => {
    expect(rejection({ version: '1.0' }).problems).toEqual(['catalogue: missing required field "entries"']);
  });

  it('rejects duplicate ids and approach fields that disagree', () => {
    const data = clone();
    data.entries[1]!['id'] = 'B.1';
    data.entries[1]!['step'] = 'B.1';
    data.entries[4]!['applicability'] = { approach: 'A' };
    const err = rejection(data);
    expect(err.problems).toContain('entries[1] (B.1).id duplicates entries[0]');
    expect(err.problems).toContain('entries[4] (B.5).applicability.approach must be "B" like the entry\'s approach');
  });

  it('rejects a step id of the other approach', () => {
    const data = clone();
    data.entries[6]!['step'] = 'A.7';
    expect(rejection(data).problems).toEqual(['entries[6] (B.7).step "A.7" is not a step of approach B']);
  });

  describe('from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dmdc-catalogue-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('loads a valid copy from another path', () => {
      const file = join(dir, 'ok.json');
      writeFileSync(file, JSON.stringify(raw));
      expect(loadCatalogue(file).entries.map((e) => e.id)).toEqual(catalogue.entries.map((e) => e.id));
    });

    it('names the file when it is not JSON or does not exist', () => {
      const file = join(dir, 'broken.json');
      writeFileSync(file, '{ "entries": [');
      expect(() => loadCatalogue(file)).toThrow(/broken\.json: is not valid JSON/);
      expect(() => loadCatalogue(join(dir, 'absent.json'))).toThrow(/absent\.json: cannot be read/);
    });

    it('names the field of an invalid file', () => {
      const data = clone();
      data.entries[8]!['severity'] = 'MIGHT';
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify(data));
      expect(() => loadCatalogue(file)).toThrow('entries[8] (B.8b).severity must be one of MUST, SHOULD, MAY, found "MIGHT"');
    });
  });
});
