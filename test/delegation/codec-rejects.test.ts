import { describe, expect, test } from 'vitest';
import { buildDelegation, parseDelegation, type DelegationMessage } from '../../src/delegation/index.js';

const request: Extract<DelegationMessage, { type: 'DelegationInitiationRequest' }> = {
  type: 'DelegationInitiationRequest',
  sessionId: 'abc',
  delegatorServerId: 'dms-1.example.com',
  delegateeServerId: 'dms-2.example.com',
  device: { devId: 'IMEI:493005100592800', man: 'Acme', mod: 'Phone 9' },
  delegationType: { scope: 'partial', duration: 'permanent' },
  subtrees: ['./Vendor/Apps'],
  approach: 'B',
};
const requestXml = buildDelegation(request);

const OPEN = '<Delegation xmlns="urn:dmdc:delegation:1.0" version="1.0">';
const doc = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n${OPEN}${body}</Delegation>`;
const prepared = '<ClientPrepared><SessionId>abc</SessionId></ClientPrepared>';

function rejected(xml: string): { code: string; reason: string } {
  const result = parseDelegation(xml);
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.message)}`);
  return { code: result.code, reason: result.reason };
}

interface Case {
  name: string;
  xml: string;
  code: 'MALFORMED' | 'INVALID';
  /** Every fragment must appear in the reason. */
  says: string[];
}

const cases: Case[] = [
  {
    name: 'malformed XML (mismatched end tag)',
    xml: `${OPEN}\n  <ClientPrepared><SessionId>abc</SessionId>\n</Delegation>`,
    code: 'MALFORMED',
    says: ['not well-formed XML (line 3, column', "closing tag 'ClientPrepared'"],
  },
  { name: 'not XML at all', xml: 'hello', code: 'MALFORMED', says: ['not well-formed XML (line 1, column 1)'] },
  { name: 'empty body', xml: '', code: 'MALFORMED', says: ['not well-formed XML (line 1)'] },
  {
    name: 'two root elements',
    xml: `${OPEN}${prepared}</Delegation>${OPEN}${prepared}</Delegation>`,
    code: 'MALFORMED',
    says: ['not well-formed XML (line 1, column', 'root'],
  },
  {
    name: 'two empty root elements',
    xml: '<Delegation xmlns="urn:dmdc:delegation:1.0" version="1.0"/><Delegation xmlns="urn:dmdc:delegation:1.0" version="1.0"/>',
    code: 'MALFORMED',
    says: ['not well-formed XML: 2 root elements (Delegation, Delegation), XML allows one'],
  },
  {
    name: 'undefined entity',
    xml: doc('<Error><Code>INVALID</Code><Reason>a &nbsp; b</Reason></Error>'),
    code: 'MALFORMED',
    says: ['(line 2, column', 'undefined entity reference "&nbsp;"'],
  },
  {
    name: 'control character',
    xml: doc('<Error><Code>INVALID</Code><Reason>a\u0001b</Reason></Error>'),
    code: 'MALFORMED',
    says: ['character U+0001 is not allowed'],
  },
  {
    name: 'DOCTYPE',
    xml: `<!DOCTYPE Delegation [<!ENTITY x "abc">]>\n${OPEN}` +
      '<ClientPrepared><SessionId>&x;</SessionId></ClientPrepared></Delegation>',
    code: 'INVALID',
    says: ['a DOCTYPE declaration is not allowed (line 1, column 1)'],
  },
  {
    name: 'wrong root',
    xml: `<Delegations xmlns="urn:dmdc:delegation:1.0" version="1.0">${prepared}</Delegations>`,
    code: 'INVALID',
    says: ['root element must be Delegation, found Delegations'],
  },
  {
    name: 'prefixed root',
    xml: `<d:Delegation xmlns:d="urn:dmdc:delegation:1.0" version="1.0">${prepared}</d:Delegation>`,
    code: 'INVALID',
    says: ['root element must be Delegation, found d:Delegation'],
  },
  {
    name: 'wrong namespace',
    xml: `<Delegation xmlns="urn:oma:delegation" version="1.0">${prepared}</Delegation>`,
    code: 'INVALID',
    says: ['Delegation must be in namespace urn:dmdc:delegation:1.0, found "urn:oma:delegation"'],
  },
  {
    name: 'no namespace',
    xml: `<Delegation version="1.0">${prepared}</Delegation>`,
    code: 'INVALID',
    says: ['Delegation must be in namespace urn:dmdc:delegation:1.0, found no default namespace'],
  },
  {
    name: 'wrong version',
    xml: `<Delegation xmlns="urn:dmdc:delegation:1.0" version="2.0">${prepared}</Delegation>`,
    code: 'INVALID',
    says: ['Delegation/@version must be 1.0, found "2.0"'],
  },
  {
    name: 'missing version',
    xml: `<Delegation xmlns="urn:dmdc:delegation:1.0">${prepared}</Delegation>`,
    code: 'INVALID',
    says: ['Delegation/@version is missing (expected 1.0)'],
  },
  {
    name: 'unknown message element',
    xml: doc('<DelegationAbort><SessionId>abc</SessionId></DelegationAbort>'),
    code: 'INVALID',
    says: ['Delegation/DelegationAbort is not a message element of profile 1.0', 'expected one of DelegationInitiationRequest,'],
  },
  {
    name: 'two message elements',
    xml: doc(prepared + prepared.replace('ClientPrepared', 'BootstrapComplete').replace('ClientPrepared', 'BootstrapComplete')),
    code: 'INVALID',
    says: ['Delegation must hold exactly one message element, found 2 (ClientPrepared, BootstrapComplete)'],
  },
  {
    name: 'no message element',
    xml: doc(''),
    code: 'INVALID',
    says: ['Delegation must hold exactly one message element, found none'],
  },
  {
    name: 'text beside the message element',
    xml: doc(`hello${prepared}`),
    code: 'INVALID',
    says: ['Delegation must not contain text'],
  },
  {
    name: 'missing SessionId',
    xml: requestXml.replace(/<SessionId>abc<\/SessionId>/, ''),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/SessionId is missing'],
  },
  {
    name: 'missing DevId',
    xml: requestXml.replace(/<DevId>[^<]*<\/DevId>/, ''),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/Device/DevId is missing'],
  },
  {
    name: 'empty SessionId',
    xml: doc('<ClientPrepared><SessionId/></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/SessionId must be 1 to 64 characters from A-Z a-z 0-9 . _ -, found ""'],
  },
  {
    name: 'SessionId longer than 64 characters',
    xml: doc(`<ClientPrepared><SessionId>${'a'.repeat(65)}</SessionId></ClientPrepared>`),
    code: 'INVALID',
    says: ['ClientPrepared/SessionId must be 1 to 64 characters'],
  },
  {
    name: 'bad scope enum',
    xml: requestXml.replace('scope="partial"', 'scope="most"'),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/DelegationType/@scope must be one of full, partial, found "most"'],
  },
  {
    name: 'missing duration attribute',
    xml: requestXml.replace(' duration="permanent"', ''),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/DelegationType/@duration is missing'],
  },
  {
    name: 'partial with no subtree',
    xml: buildDelegation({ ...request, subtrees: [] }),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/Subtree must appear at least once when DelegationType/@scope is partial'],
  },
  {
    name: 'subtree that is not a DM URI',
    xml: buildDelegation({ ...request, subtrees: ['./Vendor/Apps', './Vendor/../DMAcc'] }),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/Subtree[2] must be a DM URI rooted at "."', 'found "./Vendor/../DMAcc"'],
  },
  {
    name: 'same subtree twice',
    xml: buildDelegation({ ...request, subtrees: ['./Vendor/Apps', './Vendor/Apps'] }),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/Subtree must not name the same subtree twice'],
  },
  {
    name: 'bad approach',
    xml: requestXml.replace('<Approach>B</Approach>', '<Approach>C</Approach>'),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/Approach must be one of A, B, found "C"'],
  },
  {
    name: 'plain http URL',
    xml: buildDelegation({ type: 'BootstrapServerUrlResponse', sessionId: 'abc', url: 'http://bs.example.com/bootstrap' }),
    code: 'INVALID',
    says: ['BootstrapServerUrlResponse/Url must be an absolute https URI, found "http://bs.example.com/bootstrap"'],
  },
  {
    name: 'relative URL',
    xml: buildDelegation({ type: 'BootstrapServerUrlResponse', sessionId: 'abc', url: '/bootstrap' }),
    code: 'INVALID',
    says: ['BootstrapServerUrlResponse/Url must be an absolute https URI, found "/bootstrap"'],
  },
  {
    name: 'ServerId containing &',
    xml: buildDelegation({ ...request, delegatorServerId: 'dms-1&co' }),
    code: 'INVALID',
    says: [
      'DelegationInitiationRequest/DelegatorServerId must be a non-empty Server Identifier of printable characters ' +
        'without white space or = & * +, found "dms-1&co"',
    ],
  },
  {
    name: 'ServerId containing a space',
    xml: buildDelegation({ ...request, delegateeServerId: 'dms 2' }),
    code: 'INVALID',
    says: ['DelegationInitiationRequest/DelegateeServerId must be a non-empty Server Identifier'],
  },
  {
    name: 'Accepted that is not true or false',
    xml: doc('<DelegationInitiationResponse><SessionId>abc</SessionId><Accepted>yes</Accepted></DelegationInitiationResponse>'),
    code: 'INVALID',
    says: ['DelegationInitiationResponse/Accepted must be one of true, false, found "yes"'],
  },
  {
    name: 'Ack of a request type',
    xml: doc('<Ack><SessionId>abc</SessionId><Of>AccountRequest</Of></Ack>'),
    code: 'INVALID',
    says: ['Ack/Of must be one of BootstrapComplete, ClientPrepared, DelegationComplete, BootstrapOrder, found "AccountRequest"'],
  },
  {
    name: 'unknown child element',
    xml: doc('<ClientPrepared><SessionId>abc</SessionId><Note>hi</Note></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/Note is not allowed'],
  },
  {
    name: 'unknown attribute on a message element',
    xml: doc('<ClientPrepared urgent="yes"><SessionId>abc</SessionId></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/@urgent is not allowed'],
  },
  {
    name: 'attribute on a text element',
    xml: doc('<ClientPrepared><SessionId kind="x">abc</SessionId></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/SessionId/@kind is not allowed'],
  },
  {
    name: 'element inside a text element',
    xml: doc('<ClientPrepared><SessionId><Id>abc</Id></SessionId></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/SessionId must contain text only, found element Id'],
  },
  {
    name: 'SessionId twice',
    xml: doc('<ClientPrepared><SessionId>abc</SessionId><SessionId>def</SessionId></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/SessionId must appear at most once'],
  },
  {
    name: 'inner element in another namespace',
    xml: doc('<ClientPrepared><SessionId xmlns="urn:other">abc</SessionId></ClientPrepared>'),
    code: 'INVALID',
    says: ['ClientPrepared/SessionId must be in namespace urn:dmdc:delegation:1.0, found "urn:other"'],
  },
  {
    name: 'missing Error code',
    xml: doc('<Error><Reason>boom</Reason></Error>'),
    code: 'INVALID',
    says: ['Error/Code is missing'],
  },
];

describe('parseDelegation rejects', () => {
  test.for(cases)('$name', ({ xml, code, says }) => {
    const result = rejected(xml);
    expect(result.code).toBe(code);
    for (const fragment of says) expect(result.reason).toContain(fragment);
  });

  test('the partial-scope rule does not apply to a full delegation', () => {
    const full = { ...request, delegationType: { scope: 'full', duration: 'permanent' } as const, subtrees: [] };
    const result = parseDelegation(buildDelegation(full));
    expect(result.ok).toBe(true);
  });

  test('a conditional rule reports only the broken condition, not its if/then wrapper', () => {
    expect(rejected(buildDelegation({ ...request, subtrees: [] })).reason).toBe(
      'DelegationInitiationRequest/Subtree must appear at least once when DelegationType/@scope is partial',
    );
  });

  test('every problem of a message is reported at once, in document terms', () => {
    const xml = requestXml
      .replace(/<SessionId>abc<\/SessionId>/, '')
      .replace('scope="partial"', 'scope="half"')
      .replace(/<Man>[^<]*<\/Man>/, '<Maker>Acme</Maker>');
    const { reason } = rejected(xml);
    expect(reason.split('; ')).toEqual(expect.arrayContaining([
      'DelegationInitiationRequest/Device/Maker is not allowed',
      'DelegationInitiationRequest/SessionId is missing',
      'DelegationInitiationRequest/Device/Man is missing',
      'DelegationInitiationRequest/DelegationType/@scope must be one of full, partial, found "half"',
    ]));
    expect(reason).not.toContain('"then"');
  });
});

describe('account errors', () => {
  const account = {
    serverId: 'dms-2.example.com',
    addr: 'https://dms-2.example.com/dm',
    addrType: 'URI' as const,
    appAuth: [
      { level: 'CLCRED' as const, type: 'DIGEST', name: 'c', secret: 'topsecret' },
      { level: 'SRVCRED' as const, type: 'DIGEST', name: 's', secret: 'x', data: 'bm9uY2U=' },
    ],
  };

  test('a bad entry is named by its position among the AppAuth elements', () => {
    const xml = buildDelegation({ type: 'AccountResponse', sessionId: 'abc', account })
      .replace('<Level>SRVCRED</Level>', '<Level>SERVER</Level>');
    expect(rejected(xml).reason).toBe(
      'AccountResponse/Account/AppAuth[2]/Level must be one of CLCRED, SRVCRED, OBEX, HTTP, found "SERVER"',
    );
  });

  test('the address must fit AddrType', () => {
    const ipv4 = { ...account, addrType: 'IPv4' as const };
    const xml = buildDelegation({ type: 'BootstrapOrder', sessionId: 'abc', device: request.device, account: ipv4 });
    expect(rejected(xml).reason).toBe(
      'BootstrapOrder/Account/Addr must be an IPv4 address, found "https://dms-2.example.com/dm"',
    );
  });

  test('a bad credential value is reported without echoing it', () => {
    const bad = { ...account, appAuth: [{ level: 'CLCRED' as const, type: 'DIGEST', data: 'not base64!' }] };
    const { reason } = rejected(buildDelegation({ type: 'AccountResponse', sessionId: 'abc', account: bad }));
    expect(reason).toBe('AccountResponse/Account/AppAuth[1]/Data must be base64');
  });

  test('a port outside 0..65535 is rejected', () => {
    const bad = { ...account, portNbr: '65536' };
    const { reason } = rejected(buildDelegation({ type: 'AccountResponse', sessionId: 'abc', account: bad }));
    expect(reason).toBe('AccountResponse/Account/PortNbr must be a decimal port number 0 to 65535, found "65536"');
  });
});
