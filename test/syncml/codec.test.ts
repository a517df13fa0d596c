import { describe, test, expect } from 'vitest';
import { buildSyncML, describeCommand, parseSyncML } from '../../src/syncml/codec.js';
import type {
  AlertCommand, ContainerCommand, ItemCommand, ResultsCommand, StatusCommand, SyncMLMessage,
} from '../../src/syncml/model.js';
import { MINIMAL, PKG1, PKG2, PKG3 } from './fixtures.js';

describe('parseSyncML on the session fixtures', () => {
  test('package 1: header, md5 Cred, Meta, Alert 1200, DevInfo Replace, Final', () => {
    const m = parseSyncML(PKG1);
    expect(m.hdr).toStrictEqual({
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionId: '2A',
      msgId: '1',
      target: 'https://dms2.example.com/dm',
      source: 'IMEI:493005100592800',
      sourceName: 'dmclient',
      cred: { meta: { format: 'b64', type: 'syncml:auth-md5' }, data: 'Rr4N5RXezaBesGAU2EaEyg==' },
      meta: { maxMsgSize: '5000', maxObjSize: '65536' },
    });
    expect(m.final).toBe(true);
    expect(m.body.map((c) => c.kind)).toEqual(['Alert', 'Replace']);
    expect(m.body[0]).toStrictEqual({ kind: 'Alert', cmdId: '1', data: '1200', items: [] });
    const replace = m.body[1] as ItemCommand;
    expect(replace.items.map((i) => i.source)).toEqual([
      './DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevInfo/DmV', './DevInfo/Lang',
    ]);
    expect(replace.items[3]).toStrictEqual({ source: './DevInfo/DmV', data: '1.2' });
  });

  test('package 2: command order, Chal, interior Add, values stay strings, entities decoded', () => {
    const m = parseSyncML(PKG2);
    expect(m.body.map((c) => c.kind)).toEqual(['Status', 'Status', 'Get', 'Replace', 'Add', 'Replace']);
    const hdrStatus = m.body[0] as StatusCommand;
    expect(hdrStatus).toMatchObject({ cmd: 'SyncHdr', msgRef: '1', cmdRef: '0', data: '212' });
    expect(hdrStatus.targetRefs).toEqual(['https://dms2.example.com/dm']);
    expect(hdrStatus.sourceRefs).toEqual(['IMEI:493005100592800']);
    expect(hdrStatus.chal).toStrictEqual({ format: 'b64', type: 'syncml:auth-md5', nextNonce: 'bmV4dC1ub25jZS0wMg==' });
    expect((m.body[2] as ItemCommand).items).toStrictEqual([{ target: './Vendor/Apps?prop=ACL' }]);

    const replace = m.body[3] as ItemCommand;
    expect(replace.meta).toStrictEqual({ format: 'chr' });
    expect(replace.items.map((i) => i.data)).toStrictEqual(['0030', 'true']);

    const add = m.body[4] as ItemCommand;
    expect(add.items).toStrictEqual([{ target: './Vendor/Apps/Mail', meta: { format: 'node' } }]);

    const acl = (m.body[5] as ItemCommand).items[0]!.data;
    expect(acl).toBe('Get=*&Replace=dms1.example.com+dms2.example.com&Limit=1e3');
  });

  test('package 3: Statuses with several TargetRefs and Results with Meta', () => {
    const m = parseSyncML(PKG3);
    expect(m.hdr.msgId).toBe('2');
    expect(m.hdr).not.toHaveProperty('cred');
    const statuses = m.body.filter((c): c is StatusCommand => c.kind === 'Status');
    expect(statuses.map((s) => [s.cmdRef, s.cmd, s.data])).toEqual([
      ['0', 'SyncHdr', '200'], ['3', 'Get', '200'], ['4', 'Replace', '200'], ['5', 'Add', '418'], ['6', 'Replace', '425'],
    ]);
    expect(statuses[2]!.targetRefs).toEqual(['./Vendor/Apps/Timeout', './Vendor/Apps/Enabled']);
    const results = m.body[5] as ResultsCommand;
    expect(results).toStrictEqual({
      kind: 'Results', cmdId: '6', msgRef: '1', cmdRef: '3',
      meta: { format: 'chr', type: 'text/plain' },
      items: [{ source: './Vendor/Apps?prop=ACL', data: 'Get=*&Replace=dms1.example.com' }],
    });
  });
});

describe('round trips', () => {
  test.each([['PKG1', PKG1], ['PKG2', PKG2], ['PKG3', PKG3], ['MINIMAL', MINIMAL]])(
    '%s: parse → build → parse is equal and the built text is stable',
    (_name, xml) => {
      const first = parseSyncML(xml);
      const built = buildSyncML(first);
      const second = parseSyncML(built);
      expect(second).toStrictEqual(first);
      expect(buildSyncML(second)).toBe(built);
    },
  );

  test('a model using every optional field survives build → parse unchanged', () => {
    const msg: SyncMLMessage = {
      hdr: {
        verDTD: '1.2', verProto: 'DM/1.2', sessionId: 'FFFF', msgId: '0030', target: 'IMEI:1', source: 'https://s/dm',
        sourceName: 'dms1.example.com', respUri: 'https://s/dm?sid=7&m=2',
        cred: { meta: { format: 'b64', type: 'syncml:auth-basic' }, data: 'dXNlcjpwYXNz' },
        meta: { maxMsgSize: '1e3', maxObjSize: '100000' },
      },
      body: [
        { kind: 'Alert', cmdId: '1', data: '1226', items: [{ source: './FUMO', meta: { type: 'urn:x', format: 'chr', mark: 'critical' }, data: 'true' }] },
        {
          kind: 'Atomic', cmdId: '2', commands: [
            { kind: 'Delete', cmdId: '3', items: [{ target: './A' }] },
            { kind: 'Sequence', cmdId: '4', commands: [{ kind: 'Exec', cmdId: '5', noResp: true, items: [{ target: './B/Run', data: '' }] }] },
          ],
        },
        { kind: 'Copy', cmdId: '6', items: [{ target: './C', source: './D', sourceName: 'n' }] },
        { kind: 'Replace', cmdId: '7', items: [{ target: './E', data: '  <a b="1">\'x\' & y</a>\n' }] },
        { kind: 'Status', cmdId: '8', msgRef: '1', cmdRef: '2', cmd: 'Atomic', targetRefs: [], sourceRefs: [], data: '507', items: [] },
        { kind: 'Results', cmdId: '9', msgRef: '1', cmdRef: '4', items: [{ source: './F', data: '0030' }] },
      ],
      final: false,
    };
    const xml = buildSyncML(msg);
    expect(parseSyncML(xml)).toStrictEqual(msg);
    expect(xml).not.toContain('Final');
    expect(xml).toContain('<NoResp/>');
    expect(xml).toContain('<Data/>');
    expect(xml).toContain('&lt;a b=&quot;1&quot;&gt;&apos;x&apos; &amp; y&lt;/a&gt;');
  });
});

describe('built XML', () => {
  const built = buildSyncML(parseSyncML(PKG2));

  test('declaration, root namespace and empty Final', () => {
    expect(built.startsWith('<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns="SYNCML:SYNCML1.2">')).toBe(true);
    expect(built).toContain('<Final/></SyncBody></SyncML>');
  });

  test('every Meta child carries xmlns="syncml:metinf"', () => {
    const metaChildren = built.match(/<(Format|Type|NextNonce|MaxMsgSize|MaxObjSize|Mark)[\s>]/g) ?? [];
    const withNs = built.match(/<(Format|Type|NextNonce|MaxMsgSize|MaxObjSize|Mark) xmlns="syncml:metinf">/g) ?? [];
    expect(metaChildren.length).toBe(7);
    expect(withNs.length).toBe(metaChildren.length);
  });

  test('SyncHdr and Status elements follow the RepPro order', () => {
    const inOrder = (xml: string, tags: string[]) => {
      const at = tags.map((t) => xml.indexOf(`<${t}`));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
    };
    inOrder(built, ['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source', 'LocName', 'Cred', 'SyncBody']);
    const status = built.slice(built.indexOf('<Status>'), built.indexOf('</Status>'));
    inOrder(status, ['CmdID', 'MsgRef', 'CmdRef', 'Cmd>', 'TargetRef', 'SourceRef', 'Chal', 'Data']);
    inOrder(buildSyncML(parseSyncML(PKG1)), ['Source', 'Cred', '/Cred', 'Meta><MaxMsgSize']);
  });

  test('ACL values are re-escaped', () => {
    expect(built).toContain('<Data>Get=*&amp;Replace=dms1.example.com+dms2.example.com&amp;Limit=1e3</Data>');
  });
});

describe('parser details', () => {
  test('pretty-printing does not leak into values, but Item Data keeps its whitespace', () => {
    const xml = MINIMAL.replace('<MsgID>1</MsgID>', '<MsgID>\n  1\n</MsgID>').replace('<Data>x</Data>', '<Data> x \n</Data>');
    const m = parseSyncML(xml);
    expect(m.hdr.msgId).toBe('1');
    expect((m.body[0] as ItemCommand).items[0]!.data).toBe(' x \n');
  });

  test('numeric character references and CDATA are decoded', () => {
    const xml = MINIMAL.replace('<Data>x</Data>', '<Data>&#65;&#x42;<![CDATA[<c>&]]></Data>');
    expect((parseSyncML(xml).body[0] as ItemCommand).items[0]!.data).toBe('AB<c>&');
  });

  test('markup embedded in Data comes back as XML text', () => {
    const xml = MINIMAL.replace('<Data>x</Data>', '<Data><MgmtTree><Node><NodeName>A</NodeName></Node></MgmtTree></Data>');
    const data = (parseSyncML(xml).body[0] as ItemCommand).items[0]!.data;
    expect(data).toBe('<MgmtTree><Node><NodeName>A</NodeName></Node></MgmtTree>');
  });

  test('namespace-prefixed MetInf elements are read by local name', () => {
    const xml = MINIMAL.replace('<CmdID>1</CmdID>', '<CmdID>1</CmdID><Meta><mi:Format xmlns:mi="syncml:metinf">int</mi:Format></Meta>');
    expect((parseSyncML(xml).body[0] as ItemCommand).meta).toStrictEqual({ format: 'int' });
  });

  test('a message without Final has final=false', () => {
    expect(parseSyncML(MINIMAL.replace('<Final/>', '')).final).toBe(false);
  });
});

describe('describeCommand', () => {
  const pkg2 = parseSyncML(PKG2).body;

  test('item commands show kind, CmdID and target URIs', () => {
    expect(describeCommand(pkg2[2]!)).toBe('Get#3 ./Vendor/Apps?prop=ACL');
    expect(describeCommand(pkg2[3]!)).toBe('Replace#4 ./Vendor/Apps/Timeout ./Vendor/Apps/Enabled');
  });

  test('long item lists are cut after three URIs', () => {
    const devInfo = parseSyncML(PKG1).body[1]!;
    expect(describeCommand(devInfo)).toBe('Replace#2 ./DevInfo/DevId ./DevInfo/Man ./DevInfo/Mod (+2 more)');
  });

  test('Alert, Status, Results and containers', () => {
    const alert: AlertCommand = { kind: 'Alert', cmdId: '1', data: '1200', items: [] };
    expect(describeCommand(alert)).toBe('Alert#1 1200');
    expect(describeCommand(pkg2[0]!)).toBe('Status#1 212 for SyncHdr (msg 1, cmd 0) https://dms2.example.com/dm');
    expect(describeCommand(parseSyncML(PKG3).body[5]!)).toBe('Results#6 for msg 1, cmd 3 ./Vendor/Apps?prop=ACL');
    const atomic: ContainerCommand = {
      kind: 'Atomic', cmdId: '7', commands: [{ kind: 'Add', cmdId: '8', items: [] }, { kind: 'Delete', cmdId: '9', items: [] }],
    };
    expect(describeCommand(atomic)).toBe('Atomic#7 {Add#8, Delete#9}');
  });
});
