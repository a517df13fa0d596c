import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import {
  DELEGATION_NS,
  MESSAGE_SCHEMAS,
  MESSAGE_TYPES,
  buildDelegation,
  delegationSummary,
  parseDelegation,
  validateDelegation,
  type DelegationMessage,
} from '../../src/delegation/index.js';
import type { DmAccount } from '../../src/model/account.js';

const device = { devId: 'IMEI:493005100592800', man: 'Acme', mod: 'Phone 9' };
const account: DmAccount = {
  serverId: 'dms-2.example.com',
  name: 'Second DMS',
  addr: 'https://dms-2.example.com:8443/dm',
  addrType: 'URI',
  portNbr: '8443',
  aauthPref: 'DIGEST',
  appAuth: [
    { level: 'CLCRED', type: 'DIGEST', name: 'client-7', secret: 's3cr&t <pw>', data: 'bm9uY2UtMQ==' },
    { level: 'SRVCRED', type: 'DIGEST', name: 'dms-2', secret: 'other', data: 'bm9uY2UtMg==' },
  ],
};

/** At least one sample per message type, each optional field present in one of them. */
const samples: { name: string; message: DelegationMessage }[] = [
  {
    name: 'DelegationInitiationRequest partial, two subtrees',
    message: {
      type: 'DelegationInitiationRequest',
      sessionId: 'deleg-2026.11_21',
      delegatorServerId: 'dms-1.example.com',
      delegateeServerId: 'dms-2.example.com',
      device,
      delegationType: { scope: 'partial', duration: 'permanent' },
      subtrees: ['./Vendor/Apps', './FUMO'],
      approach: 'B',
    },
  },
  {
    name: 'DelegationInitiationRequest full, no subtree',
    message: {
      type: 'DelegationInitiationRequest',
      sessionId: '007',
      delegatorServerId: 'dms-1',
      delegateeServerId: 'dms-2',
      device,
      delegationType: { scope: 'full', duration: 'temporary' },
      subtrees: [],
      approach: 'A',
    },
  },
  {
    name: 'DelegationInitiationResponse accepted',
    message: { type: 'DelegationInitiationResponse', sessionId: 's1', accepted: true },
  },
  {
    name: 'DelegationInitiationResponse rejected with reason',
    message: {
      type: 'DelegationInitiationResponse',
      sessionId: 's1',
      accepted: false,
      reason: 'no contract for "Acme" & co <Phone 9>',
    },
  },
  { name: 'BootstrapServerUrlRequest', message: { type: 'BootstrapServerUrlRequest', sessionId: 's1' } },
  {
    name: 'BootstrapServerUrlResponse',
    message: { type: 'BootstrapServerUrlResponse', sessionId: 's1', url: 'https://bs.example.com:9443/bootstrap?tenant=a&x=1' },
  },
  { name: 'AccountRequest', message: { type: 'AccountRequest', sessionId: 's1' } },
  { name: 'AccountResponse', message: { type: 'AccountResponse', sessionId: 's1', account } },
  {
    name: 'AccountResponse minimal account',
    message: {
      type: 'AccountResponse',
      sessionId: 's1',
      account: { serverId: 'dms-2', addr: '192.0.2.7', addrType: 'IPv4', appAuth: [] },
    },
  },
  { name: 'BootstrapOrder', message: { type: 'BootstrapOrder', sessionId: 's1', device, account } },
  { name: 'BootstrapComplete', message: { type: 'BootstrapComplete', sessionId: 's1' } },
  { name: 'ClientPrepared', message: { type: 'ClientPrepared', sessionId: 's1' } },
  { name: 'DelegationComplete success', message: { type: 'DelegationComplete', sessionId: 's1', result: 'success' } },
  {
    name: 'DelegationComplete failure',
    message: { type: 'DelegationComplete', sessionId: 's1', result: 'failure', reason: '  client never\nconnected  ' },
  },
  { name: 'Ack', message: { type: 'Ack', sessionId: 's1', of: 'ClientPrepared' } },
  {
    name: 'Error with session',
    message: { type: 'Error', sessionId: 's1', code: 'OUT_OF_ORDER', reason: 'ClientPrepared before BootstrapComplete' },
  },
  { name: 'Error without session', message: { type: 'Error', code: 'MALFORMED', reason: 'not XML' } },
];

const plain = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

describe('round trip', () => {
  test('the samples cover every message type', () => {
    expect(new Set(samples.map((s) => s.message.type))).toEqual(new Set(MESSAGE_TYPES));
    expect(Object.keys(MESSAGE_SCHEMAS).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  test.for(samples)('parse(build(m)) equals m: $name', ({ message }) => {
    const result = parseDelegation(buildDelegation(message));
    expect(result).toStrictEqual({ ok: true, message });
  });

  test.for(samples)('sample is valid against its schema: $name', ({ message }) => {
    expect(validateDelegation(message)).toEqual({ ok: true });
  });
});

describe('document form', () => {
  const request = samples[0]!.message;

  test('declaration, root namespace and version, one message element', () => {
    const xml = buildDelegation(request);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Delegation ')).toBe(true);
    const doc = plain.parse(xml);
    expect(doc.Delegation['@_xmlns']).toBe(DELEGATION_NS);
    expect(doc.Delegation['@_version']).toBe('1.0');
    expect(Object.keys(doc.Delegation).filter((k) => !k.startsWith('@_'))).toEqual(['DelegationInitiationRequest']);
  });

  test('delegation type as attributes, subtrees as repeated Subtree, device as child elements', () => {
    const body = plain.parse(buildDelegation(request)).Delegation.DelegationInitiationRequest;
    expect(body.DelegationType).toEqual({ '@_scope': 'partial', '@_duration': 'permanent' });
    expect(body.Subtree).toEqual(['./Vendor/Apps', './FUMO']);
    expect(body.Device).toEqual({ DevId: device.devId, Man: 'Acme', Mod: 'Phone 9' });
    expect(body.Approach).toBe('B');
  });

  test('Accepted is the text false, optional fields are omitted', () => {
    const body = plain.parse(buildDelegation({ type: 'DelegationInitiationResponse', sessionId: 'x', accepted: false }))
      .Delegation.DelegationInitiationResponse;
    expect(body).toEqual({ SessionId: 'x', Accepted: 'false' });
  });

  test('account elements use the DMAcc names, one AppAuth per entry', () => {
    const body = plain.parse(buildDelegation({ type: 'AccountResponse', sessionId: 's', account })).Delegation.AccountResponse;
    expect(body.Account.ServerId).toBe('dms-2.example.com');
    expect(body.Account.AAuthPref).toBe('DIGEST');
    expect(body.Account.AppAuth).toHaveLength(2);
    expect(body.Account.AppAuth[0]).toEqual({
      Level: 'CLCRED', Type: 'DIGEST', Name: 'client-7', Secret: 's3cr&t <pw>', Data: 'bm9uY2UtMQ==',
    });
  });

  test('special characters are escaped, not dropped', () => {
    const xml = buildDelegation(samples[3]!.message);
    expect(xml).toContain('no contract for &quot;Acme&quot; &amp; co &lt;Phone 9&gt;');
  });
});

describe('lenient reading', () => {
  test('child order, comments, character references and CDATA are accepted', () => {
    const xml = `<?xml version="1.0"?>
<!-- from a vendor -->
<Delegation version="1.0" xmlns="urn:dmdc:delegation:1.0">
  <DelegationComplete>
    <Reason><![CDATA[a<b]]> &#38; &#x263A;</Reason>
    <Result>failure</Result>
    <SessionId>s&#49;</SessionId>
  </DelegationComplete>
</Delegation>`;
    expect(parseDelegation(xml)).toStrictEqual({
      ok: true,
      message: { type: 'DelegationComplete', sessionId: 's1', result: 'failure', reason: 'a<b & \u263A' },
    });
  });

  test('a redundant declaration of the profile namespace on an inner element is accepted', () => {
    const xml = `<Delegation xmlns="urn:dmdc:delegation:1.0" version="1.0"><Ack xmlns="urn:dmdc:delegation:1.0">` +
      `<SessionId>s1</SessionId><Of>DelegationComplete</Of></Ack></Delegation>`;
    expect(parseDelegation(xml)).toStrictEqual({ ok: true, message: { type: 'Ack', sessionId: 's1', of: 'DelegationComplete' } });
  });
});

describe('validateDelegation', () => {
  test('names the element of a bad field in a message object', () => {
    const result = validateDelegation({ type: 'ClientPrepared', sessionId: 'has space' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(
      'ClientPrepared/SessionId must be 1 to 64 characters from A-Z a-z 0-9 . _ -, found "has space"',
    );
  });

  test('reports an unknown message type', () => {
    const result = validateDelegation({ type: 'Hello', sessionId: 's' } as unknown as DelegationMessage);
    expect(result).toEqual({ ok: false, reason: 'unknown message type "Hello"' });
  });
});

describe('delegationSummary', () => {
  test('initiation request: scope/duration, subtrees, approach, servers', () => {
    const request: DelegationMessage = {
      type: 'DelegationInitiationRequest',
      sessionId: 'abc',
      delegatorServerId: 'dms-1',
      delegateeServerId: 'dms-2',
      device,
      delegationType: { scope: 'partial', duration: 'permanent' },
      subtrees: ['./Vendor/Apps'],
      approach: 'B',
    };
    expect(delegationSummary(request)).toBe(
      'DelegationInitiationRequest sid=abc partial/permanent ./Vendor/Apps approach=B dms-1->dms-2 devId=IMEI:493005100592800',
    );
  });

  test.for([
    { message: samples[3]!.message, line: 'DelegationInitiationResponse sid=s1 rejected: no contract for "Acme" & co <Phone 9>' },
    { message: samples[13]!.message, line: 'DelegationComplete sid=s1 failure: client never connected' },
    { message: samples[14]!.message, line: 'Ack sid=s1 of=ClientPrepared' },
    { message: samples[16]!.message, line: 'Error sid=- MALFORMED: not XML' },
    { message: samples[5]!.message, line: 'BootstrapServerUrlResponse sid=s1 url=https://bs.example.com:9443/bootstrap?tenant=a&x=1' },
    { message: samples[11]!.message, line: 'ClientPrepared sid=s1' },
  ])('$line', ({ message, line }) => {
    expect(delegationSummary(message)).toBe(line);
  });

  test('account-carrying messages never show credentials', () => {
    for (const message of [samples[7]!.message, samples[9]!.message]) {
      const line = delegationSummary(message);
      expect(line).toContain('serverId=dms-2.example.com');
      expect(line).not.toContain('s3cr&t');
      expect(line).not.toContain('bm9uY2U');
    }
  });
});

describe('docs/binding-profile.md', () => {
  test('every message example in the vendor document parses, one per message type', () => {
    const doc = readFileSync(new URL('../../docs/binding-profile.md', import.meta.url), 'utf8');
    const examples = [...doc.matchAll(/```xml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .filter((xml) => !xml.includes('<!-- exactly one message element -->'));
    const types = examples.map((xml) => {
      const result = parseDelegation(xml);
      if (!result.ok) throw new Error(`example does not parse: ${result.reason}\n${xml}`);
      return result.message.type;
    });
    expect(types).toEqual([...MESSAGE_TYPES]);
  });
});
