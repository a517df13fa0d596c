/**
 * One test sheet per catalogue entry, in the fields of an OMA Enabler Test Specification test case. The
 * sheets are built from the catalogue (and the client fixture the flows start from) alone, with no run;
 * the renderers (render-md.ts, render-html.ts) only lay them out.
 */
import { applicable, matchesGlob, type Catalogue, type CatalogueEntry } from '../catalogue/catalogue.js';
import type { Approach } from '../delegation/messages.js';
import { ROLE_NAMES, type Role } from '../model/roles.js';
import { TREE } from '../profile.js';
import type { Provenance } from '../report/model.js';
import type { Channel } from '../runner/observability.js';
import { defaultScenarios } from '../runner/scenario.js';
import { loadClientFixture, type ClientFixture } from '../tree/client-fixture.js';
import {
  APPLICABILITY_WORDS,
  APPROACH_WORDS,
  BOTH_APPROACHES,
  CATEGORY_PRECONDITIONS,
  CHANNEL_SHORT,
  CHANNEL_WORDS,
  DEFAULT_RUN_WORDS,
  ETS_HEADINGS,
  FEATURE_WORDS,
  NEGATIVE_PRECONDITIONS,
  NO_NOTES,
  OBSERVE_MODE_WORDS,
  OTHER_VERDICTS,
  PLAYED_NOTE,
  PRECONDITION_WORDS,
  PROCEDURE_WORDS,
  PROVENANCE_WORDS,
  SEVERITY_WORDS,
  SHIPPED_DOCUMENTS,
  TESTER_STANCES,
  TESTER_TOOL_WORDS,
  TOOL_WORDS,
  UNSHIPPED_REFERENCES,
  type SheetField,
} from './sheet-words.js';

export interface ListItem {
  /** A short lead such as a step id, shown before the text. */
  label?: string;
  text: string;
}

export type Block =
  | { kind: 'p'; text: string }
  /** A requirement statement, under a label that says where it comes from. */
  | { kind: 'statement'; label: string; text: string }
  | { kind: 'list'; ordered: boolean; items: ListItem[] };

export interface Sheet {
  id: string;
  title: string;
  category: CatalogueEntry['category'];
  severity: CatalogueEntry['severity'];
  /** The provenance stated plainly, e.g. "spec; reconstructed in approach A flows". */
  provenance: string;
  fields: Record<SheetField, Block[]>;
}

/** What the flows set up on the client before a delegation: read from the client fixture. */
export interface InitialSetup {
  dms1: string;
  dms2: string;
  others: string[];
  dms1Account: string;
  managed: string[];
  partial: string[];
  dmAccRoot: string;
  bootConfigRoot: string;
}

export function initialSetup(fixture: ClientFixture = loadClientFixture()): InitialSetup {
  const dms1Account = fixture.accounts.find((a) => a.account.serverId === fixture.servers.dms1)?.path ?? `${TREE.dmAccRoot}/<X>`;
  return {
    dms1: fixture.servers.dms1,
    dms2: fixture.servers.dms2,
    others: fixture.servers.other,
    dms1Account,
    managed: fixture.managedSubtrees,
    partial: fixture.partialSubtrees,
    dmAccRoot: TREE.dmAccRoot,
    bootConfigRoot: TREE.bootConfigRoot,
  };
}

// ------------------------------------------------------------------------------------------------ text helpers

/** Removes citations of documents the project does not ship (the catalogue may still carry some). */
export function withoutUnshippedReferences(text: string): string {
  return UNSHIPPED_REFERENCES.reduce((s, r) => s.replace(r.pattern, r.replacement), text);
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const sentence = (s: string) => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`);
const roleList = (roles: readonly Role[]) => roles.map((r) => ROLE_NAMES[r]).join(', ');
const andList = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The approaches an entry's flows can be of. */
function approachesOf(entry: CatalogueEntry): Approach[] {
  return entry.applicability.approach ? [entry.applicability.approach] : ['A', 'B'];
}

/** Each provenance an entry is reported with and the approaches it holds in (undefined: every flow). */
function provenanceParts(entry: CatalogueEntry): Array<{ approaches?: Approach[]; provenance: Provenance }> {
  const by = entry.provenanceByApproach ?? {};
  const differing = approachesOf(entry).filter((a) => by[a] !== undefined && by[a] !== entry.provenance);
  if (differing.length === 0) return [{ provenance: entry.provenance }];
  const rest = approachesOf(entry).filter((a) => !differing.includes(a));
  return [
    ...(rest.length ? [{ approaches: rest, provenance: entry.provenance }] : []),
    ...differing.map((a) => ({ approaches: [a], provenance: by[a]! })),
  ];
}

const inFlows = (approaches: readonly Approach[]) => `in approach ${approaches.join(' and ')} flows`;

function provenanceLine(entry: CatalogueEntry): string {
  const parts = provenanceParts(entry);
  if (parts.length === 1) return PROVENANCE_WORDS[parts[0]!.provenance].label;
  return parts.map((p) => `${PROVENANCE_WORDS[p.provenance].label} ${inFlows(p.approaches!)}`).join('; ');
}

// ------------------------------------------------------------------------------------------------ fields

function testObject(entry: CatalogueEntry): Block[] {
  const blocks: Block[] = [{ kind: 'p', text: `Roles constrained: ${roleList(entry.roles)}.` }];
  const by = Object.entries(entry.rolesByApproach ?? {}) as Array<[Approach, Role[]]>;
  if (by.length)
    blocks.push({ kind: 'list', ordered: false, items: by.map(([a, roles]) => ({ label: `Approach ${a} flows`, text: roleList(roles) })) });
  blocks.push({
    kind: 'p',
    text:
      entry.category === 'negative'
        ? 'The role under test is any of these the configuration makes real (every reference mock in the all-mock self-test).'
        : 'The implementation under test is any of these roles the configuration makes real; the reference mocks play the others.',
  });
  return blocks;
}

function description(entry: CatalogueEntry): Block[] {
  const parts = provenanceParts(entry);
  const label =
    parts.length === 1
      ? PROVENANCE_WORDS[parts[0]!.provenance].statementLabel
      : `Statement (${parts.map((p) => `${p.provenance === 'spec' ? 'from the specification' : `${PROVENANCE_WORDS[p.provenance].label}, not spec text,`} ${inFlows(p.approaches!)}`).join('; ')})`;
  const where = entry.step ? `step ${entry.step} of approach ${entry.approach}` : entry.approach ? `approach ${entry.approach}` : 'both approaches';
  return [
    { kind: 'p', text: `Purpose: ${sentence(withoutUnshippedReferences(entry.title))}` },
    { kind: 'statement', label, text: withoutUnshippedReferences(entry.text) },
    { kind: 'p', text: `Category: ${entry.category} (${where}); requirement level ${entry.severity}.` },
  ];
}

function reference(entry: CatalogueEntry): Block[] {
  const section = withoutUnshippedReferences(entry.section);
  const blocks: Block[] = [{ kind: 'p', text: sentence(section) }];
  for (const p of provenanceParts(entry))
    blocks.push({ kind: 'p', text: `Provenance${p.approaches ? ` ${inFlows(p.approaches)}` : ''}: ${PROVENANCE_WORDS[p.provenance].statement}` });
  for (const d of SHIPPED_DOCUMENTS) if (section.includes(d.phrase)) blocks.push({ kind: 'p', text: sentence(cap(d.words)) });
  return blocks;
}

/** The default-run flows an entry is judged in (applicability only: no ICS cuts the default matrix). */
export function defaultFlows(entry: CatalogueEntry): string[] {
  return defaultScenarios().filter((s) => applicable(entry, s).ok).map((s) => s.id);
}

/** The scenario and ICS conditions of an entry beyond its approach, each in words. */
function conditionWords(entry: CatalogueEntry): string[] {
  const a = entry.applicability;
  const parts: string[] = [];
  if (a.duration) parts.push(APPLICABILITY_WORDS.duration(a.duration));
  if (a.scope) parts.push(APPLICABILITY_WORDS.scope(a.scope));
  if (a.removeAccount !== undefined) parts.push(APPLICABILITY_WORDS.removeAccount(a.removeAccount));
  if (a.bootstrap) parts.push(APPLICABILITY_WORDS.bootstrap(a.bootstrap));
  if (a.authType) parts.push(APPLICABILITY_WORDS.authType(a.authType));
  if (a.feature) parts.push(APPLICABILITY_WORDS.feature(a.feature));
  return parts;
}

/** The applicability in words, e.g. "approach B flows (…); permanent delegations only; needs ICS feature step-8b". */
export function applicabilityWords(entry: CatalogueEntry): string {
  const a = entry.applicability;
  const parts = [a.approach ? APPROACH_WORDS[a.approach] : BOTH_APPROACHES, ...conditionWords(entry)];
  if (!a.duration && !a.scope && a.removeAccount === undefined && !a.bootstrap && !a.authType) parts.push(APPLICABILITY_WORDS.everyType);
  if (!a.feature) parts.push(APPLICABILITY_WORDS.noFeature);
  return parts.join('; ');
}

function scr(entry: CatalogueEntry): Block[] {
  const blocks: Block[] = [{ kind: 'p', text: `Applies to: ${applicabilityWords(entry)}.` }];
  const f = entry.applicability.feature;
  if (f) blocks.push({ kind: 'p', text: `ICS feature ${f}: ${sentence(FEATURE_WORDS[f] ?? 'an optional feature the ICS declares')}` });
  const flows = defaultFlows(entry);
  if (entry.category === 'negative') blocks.push({ kind: 'p', text: `${DEFAULT_RUN_WORDS.tester} ${flows.join(', ') || 'none'}.` });
  else blocks.push({ kind: 'p', text: flows.length ? `${DEFAULT_RUN_WORDS.judgedIn} ${flows.join(', ')}.` : DEFAULT_RUN_WORDS.none });
  return blocks;
}

function preconditions(entry: CatalogueEntry, setup: InitialSetup): Block[] {
  if (entry.category === 'negative') {
    const stance = TESTER_STANCES.find((s) => matchesGlob(entry.id, s.ids))?.stance;
    return [{ kind: 'list', ordered: false, items: [NEGATIVE_PRECONDITIONS.reachable, NEGATIVE_PRECONDITIONS.tls, ...(stance ? [stance] : [])].map((text) => ({ text })) }];
  }
  const approaches = approachesOf(entry);
  const vars = {
    dms1: setup.dms1,
    dms2: setup.dms2,
    dms1Account: setup.dms1Account,
    managed: andList(setup.managed),
    partial: andList(setup.partial),
    dmAccRoot: setup.dmAccRoot,
    bootConfigRoot: setup.bootConfigRoot,
    step: entry.step ?? '',
    bootstrap: approaches.includes('B') ? PRECONDITION_WORDS.rolesBootstrap : '',
    others: setup.others.length ? fill(PRECONDITION_WORDS.treeOthers, { other: andList(setup.others) }) : '',
  };
  const items = [
    PRECONDITION_WORDS.roles,
    PRECONDITION_WORDS.tls,
    PRECONDITION_WORDS.tree,
    ...approaches.map((a) => PRECONDITION_WORDS.approach[a]),
    CATEGORY_PRECONDITIONS[entry.category],
  ].map((t) => ({ text: fill(t, vars) }));
  return [{ kind: 'list', ordered: false, items }];
}

/** `B.8b` → [8, 'b'], for ordering the steps of an approach. */
function stepRank(step: string): [number, string] {
  const m = /^[AB]\.(\d+)(b?)$/.exec(step);
  return m ? [Number(m[1]), m[2]!] : [Number.MAX_SAFE_INTEGER, step];
}

function approachSteps(catalogue: Catalogue, approach: Approach): CatalogueEntry[] {
  return catalogue.entries
    .filter((e) => e.category === 'step' && e.approach === approach && e.step)
    .sort((x, y) => {
      const [a, b] = [stepRank(x.step!), stepRank(y.step!)];
      return a[0] - b[0] || a[1].localeCompare(b[1]);
    });
}

const channelsShort = (cs: readonly Channel[]) => cs.map((c) => CHANNEL_SHORT[c]).join(', ');

/** A step of the procedure: its title, who, where; marked when optional or reconstructed. */
function stepItem(step: CatalogueEntry, target: CatalogueEntry): ListItem {
  const marks: string[] = [];
  if (step.provenance !== 'spec') marks.push(PROVENANCE_WORDS[step.provenance].label);
  const conditions = conditionWords(step);
  if (step !== target && conditions.length) marks.push(`${PROCEDURE_WORDS.optionalStep} (${conditions.join('; ')})`);
  if (step === target) marks.push(PROCEDURE_WORDS.stepUnderTest);
  const title = withoutUnshippedReferences(step.title);
  return { label: step.step!, text: `${title} (${roleList(step.roles)}; ${channelsShort(step.observe)})${marks.length ? `: ${marks.join('; ')}` : ''}` };
}

function observeItem(entry: CatalogueEntry): ListItem {
  const mode = entry.observe.length > 1 ? ` (${OBSERVE_MODE_WORDS[entry.observeMode ?? 'all']})` : '';
  return { label: PROCEDURE_WORDS.observe, text: `${entry.observe.map((c) => CHANNEL_WORDS[c]).join('; ')}${mode}.` };
}

function checkItem(entry: CatalogueEntry): ListItem {
  return { label: PROCEDURE_WORDS.check, text: `${entry.checks.join(', ')}: ${PROCEDURE_WORDS.verdictCites} ${sentence(withoutUnshippedReferences(entry.proof))}` };
}

function procedure(entry: CatalogueEntry, catalogue: Catalogue): Block[] {
  const items: ListItem[] = [];
  if (entry.category === 'step' && entry.approach) {
    const steps = approachSteps(catalogue, entry.approach);
    const upTo = steps.indexOf(entry);
    for (const s of upTo >= 0 ? steps.slice(0, upTo + 1) : [entry]) items.push(stepItem(s, entry));
  } else if (entry.category === 'negative') {
    const played = (entry.notes ?? []).filter((n) => PLAYED_NOTE.test(n)).map(withoutUnshippedReferences);
    items.push(...(played.length ? played : [PROCEDURE_WORDS.testerGeneric]).map((text) => ({ text })));
  } else {
    items.push({ text: PROCEDURE_WORDS.runFlows });
    const ordered = orderedSteps(entry, catalogue);
    if (ordered.length)
      items.push({ label: PROCEDURE_WORDS.stepsOrdered, text: `${ordered.map((s) => `${s.step} (${withoutUnshippedReferences(s.title)})`).join(', then ')}.` });
  }
  items.push(observeItem(entry), checkItem(entry));
  return [{ kind: 'list', ordered: true, items }];
}

/** The steps an ordering entry's id names (ORD-B.2-B.3 → B.2, B.3), as catalogued. */
function orderedSteps(entry: CatalogueEntry, catalogue: Catalogue): CatalogueEntry[] {
  if (entry.category !== 'ordering') return [];
  const ids = entry.id.match(/[AB]\.\d+b?/g) ?? [];
  return ids.flatMap((id) => catalogue.entries.filter((e) => e.category === 'step' && e.step === id));
}

function passCriteria(entry: CatalogueEntry): Block[] {
  const blocks: Block[] = [
    { kind: 'p', text: `PASS: ${sentence(withoutUnshippedReferences(entry.proof))}` },
    { kind: 'p', text: SEVERITY_WORDS[entry.severity] },
  ];
  for (const p of provenanceParts(entry)) {
    const reads = PROVENANCE_WORDS[p.provenance].failReads;
    if (reads) blocks.push({ kind: 'p', text: sentence(cap(p.approaches ? `${inFlows(p.approaches)}, ${reads}` : reads)) });
  }
  blocks.push({ kind: 'p', text: `Otherwise: ${OTHER_VERDICTS}` });
  return blocks;
}

function notes(entry: CatalogueEntry): Block[] {
  const kept = (entry.notes ?? []).filter((n) => !(entry.category === 'negative' && PLAYED_NOTE.test(n))).map(withoutUnshippedReferences);
  return kept.length ? [{ kind: 'list', ordered: false, items: kept.map((text) => ({ text })) }] : [{ kind: 'p', text: NO_NOTES }];
}

export function buildSheet(entry: CatalogueEntry, catalogue: Catalogue, setup: InitialSetup): Sheet {
  const fields: Record<SheetField, Block[]> = {
    id: [{ kind: 'p', text: entry.id }],
    object: testObject(entry),
    description: description(entry),
    reference: reference(entry),
    scr: scr(entry),
    tool: [{ kind: 'p', text: entry.category === 'negative' ? TESTER_TOOL_WORDS : TOOL_WORDS }],
    code: [{ kind: 'p', text: `dmdc checks: ${entry.checks.join(', ')}.` }],
    preconditions: preconditions(entry, setup),
    procedure: procedure(entry, catalogue),
    pass: passCriteria(entry),
    notes: notes(entry),
  };
  // Every heading is filled: a renderer may rely on it.
  for (const k of Object.keys(ETS_HEADINGS) as SheetField[]) if (!fields[k].length) throw new Error(`sheet ${entry.id}: no ${ETS_HEADINGS[k]}`);
  return {
    id: entry.id,
    title: withoutUnshippedReferences(entry.title),
    category: entry.category,
    severity: entry.severity,
    provenance: provenanceLine(entry),
    fields,
  };
}

/** The sheets of every catalogue entry, in catalogue order. */
export function buildSheets(catalogue: Catalogue, setup: InitialSetup = initialSetup()): Sheet[] {
  return catalogue.entries.map((e) => buildSheet(e, catalogue, setup));
}
