import { describe, test, expect } from 'vitest';
import { SyncMLError, parseSyncML } from '../../src/syncml/codec.js';
import { MINIMAL, PKG1 } from './fixtures.js';

/** The SyncMLError parseSyncML throws for xml; fails the test if it parses. */
function rejection(xml: string): SyncMLError {
  try {
    parseSyncML(xml);
  } catch (e) {
    expect(e).toBeInstanceOf(SyncMLError);
    return e as SyncMLError;
  }
  throw new Error('parseSyncML accepted the message');
}

describe('malformed input', () => {
  test('a mismatched closing tag is reported with its line and column', () => {
    const err = rejection(PKG1.replace('<MsgID>1</MsgID>', '<MsgID>1</MsgId>'));
    expect(err.code).toBe('MALFORMED_XML');
    expect(err.message).toMatch(/^malformed XML at line 7, column \d+: .*MsgID/);
  });

  test('an empty document is malformed', () => {
    expect(rejection('').code).toBe('MALFORMED_XML');
  });

  test('the root must be SyncML', () => {
    const err = rejection(MINIMAL.replace('<SyncML ', '<SyncMLx ').replace('</SyncML>', '</SyncMLx>'));
    expect(err.code).toBe('NOT_SYNCML');
    expect(err.message).toContain('<SyncMLx>');
  });

  test('two root elements are refused', () => {
    const err = rejection(`${MINIMAL}<SyncML/>`);
    expect(err.code).toBe('NOT_SYNCML');
    expect(err.message).toContain('found 2');
  });
});

describe('missing elements', () => {
  const cut = (xml: string, part: string) => {
    expect(xml).toContain(part);
    return xml.replace(part, '');
  };
  const hdr = MINIMAL.slice(MINIMAL.indexOf('<SyncHdr>'), MINIMAL.indexOf('</SyncHdr>') + '</SyncHdr>'.length);
  const bodyStart = MINIMAL.indexOf('<SyncBody>');
  const body = MINIMAL.slice(bodyStart, MINIMAL.indexOf('</SyncML>'));

  test.each([
    ['SyncHdr', cut(MINIMAL, hdr), 'SyncML/SyncHdr'],
    ['SyncBody', cut(MINIMAL, body), 'SyncML/SyncBody'],
    ['VerDTD', cut(MINIMAL, '<VerDTD>1.2</VerDTD>'), 'SyncML/SyncHdr/VerDTD'],
    ['VerProto', cut(MINIMAL, '<VerProto>DM/1.2</VerProto>'), 'SyncML/SyncHdr/VerProto'],
    ['SessionID', cut(MINIMAL, '<SessionID>1</SessionID>'), 'SyncML/SyncHdr/SessionID'],
    ['MsgID', cut(MINIMAL, '<MsgID>1</MsgID>'), 'SyncML/SyncHdr/MsgID'],
    ['LocURI', cut(MINIMAL, '<LocURI>https://dms.example.com/dm</LocURI>'), 'SyncML/SyncHdr/Target/LocURI'],
    ['LocURI', cut(MINIMAL, '<LocURI>IMEI:1</LocURI>'), 'SyncML/SyncHdr/Source/LocURI'],
    ['Source', cut(MINIMAL, '<Source><LocURI>IMEI:1</LocURI></Source>'), 'SyncML/SyncHdr/Source'],
    ['CmdID', cut(MINIMAL, '<CmdID>1</CmdID>'), 'SyncML/SyncBody/Replace/CmdID'],
  ])('missing %s is named (%s)', (name, xml, path) => {
    const err = rejection(xml);
    expect(err.code).toBe('MISSING_ELEMENT');
    expect(err.element).toBe(path);
    expect(err.message).toBe(`missing <${name}> in ${path.slice(0, path.lastIndexOf('/'))}`);
  });

  test('a Status without Data or Cmd is refused', () => {
    const status = '<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>';
    const withStatus = (s: string) => MINIMAL.replace('<SyncBody>', `<SyncBody>${s}`);
    expect(parseSyncML(withStatus(status)).body[0]!.kind).toBe('Status');
    expect(rejection(withStatus(status.replace('<Data>200</Data>', ''))).element).toBe('SyncML/SyncBody/Status/Data');
    expect(rejection(withStatus(status.replace('<Cmd>SyncHdr</Cmd>', ''))).element).toBe('SyncML/SyncBody/Status/Cmd');
  });

  test('an element path counts repeated siblings', () => {
    const second = '<Replace><Item><Target><LocURI>./B</LocURI></Target></Item></Replace>';
    const err = rejection(MINIMAL.replace('<Final/>', `${second}<Final/>`));
    expect(err.element).toBe('SyncML/SyncBody/Replace[2]/CmdID');
  });
});

describe('commands that are not allowed', () => {
  test('an unknown command in SyncBody is named', () => {
    const err = rejection(MINIMAL.replace('<Final/>', '<Sync><CmdID>2</CmdID></Sync><Final/>'));
    expect(err.code).toBe('UNKNOWN_COMMAND');
    expect(err.message).toBe('unknown command <Sync> in SyncML/SyncBody');
  });

  test('an unknown command inside Atomic is named with its path', () => {
    const err = rejection(MINIMAL.replace('<Final/>', '<Atomic><CmdID>2</CmdID><Put><CmdID>3</CmdID></Put></Atomic>'));
    expect(err.code).toBe('UNKNOWN_COMMAND');
    expect(err.message).toBe('unknown command <Put> in SyncML/SyncBody/Atomic');
  });

  const cred = '<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type></Meta><Data>eDp5</Data></Cred>';
  test.each([
    ['a command', MINIMAL.replace('<CmdID>1</CmdID>', `<CmdID>1</CmdID>${cred}`), 'SyncML/SyncBody/Replace'],
    ['an Item', MINIMAL.replace('<Item>', `<Item>${cred}`), 'SyncML/SyncBody/Replace/Item'],
    ['SyncBody', MINIMAL.replace('<SyncBody>', `<SyncBody>${cred}`), 'SyncML/SyncBody'],
    ['a command in Atomic', MINIMAL.replace('<Final/>', `<Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID>${cred}</Add></Atomic>`), 'SyncML/SyncBody/Atomic/Add'],
  ])('Cred inside %s is refused', (_where, xml, parent) => {
    const err = rejection(xml);
    expect(err.code).toBe('MISPLACED_ELEMENT');
    expect(err.message).toBe(`Cred is only allowed in SyncHdr, found in ${parent}`);
    expect(err.element).toBe(`${parent}/Cred`);
  });
});

describe('bad values', () => {
  test('a repeated MsgID is refused', () => {
    const err = rejection(MINIMAL.replace('<MsgID>1</MsgID>', '<MsgID>1</MsgID><MsgID>2</MsgID>'));
    expect(err.code).toBe('BAD_VALUE');
    expect(err.message).toBe('SyncML/SyncHdr has 2 <MsgID> elements');
  });

  test('a value element holding markup is refused', () => {
    const err = rejection(MINIMAL.replace('<MsgID>1</MsgID>', '<MsgID><n>1</n></MsgID>'));
    expect(err.code).toBe('BAD_VALUE');
    expect(err.element).toBe('SyncML/SyncHdr/MsgID');
  });

  test('Final must be empty', () => {
    const err = rejection(MINIMAL.replace('<Final/>', '<Final>yes</Final>'));
    expect(err.code).toBe('BAD_VALUE');
    expect(err.message).toBe('<Final> must be empty');
  });
});
