/**
 * The kinds of SyncML DM messages the harness builds, as XML, for the WBXML tests: package 1 with either
 * credential, a challenge, a server package using every DM command, a client package answering one.
 */
import { AUTH_MD5, basicCred, md5Cred } from '../../src/syncml/auth.js';
import { buildSyncML } from '../../src/syncml/codec.js';
import type { Command, StatusCommand, SyncHdr, SyncMLMessage } from '../../src/syncml/model.js';
import { credFields, package1, type DevInfo } from '../../src/syncml/package1.js';
import { MINIMAL, PKG1, PKG2, PKG3 } from './fixtures.js';

const CLIENT = 'IMEI:493005100592800';
const SERVER = 'https://dms.example.com/dm';
/** Binary on purpose: NUL and 0xff bytes must survive the opaque NextNonce. */
export const NONCE = Buffer.from('00ff102030405060708090a0b0c0d0fe', 'hex');

function toServer(msgId: string, over: Partial<SyncHdr> = {}): SyncHdr {
  return { verDTD: '1.2', verProto: 'DM/1.2', sessionId: '2A', msgId, target: SERVER, source: CLIENT, ...over };
}

function toClient(msgId: string, over: Partial<SyncHdr> = {}): SyncHdr {
  return toServer(msgId, { target: CLIENT, source: SERVER, ...over });
}

function status(cmdId: string, cmdRef: string, cmd: string, data: string, more: Partial<StatusCommand> = {}): Command {
  return { kind: 'Status', cmdId, msgRef: '1', cmdRef, cmd, targetRefs: [], sourceRefs: [], data, items: [], ...more };
}

const DEVINFO: DevInfo = { devId: CLIENT, man: 'Example Devices', mod: 'X-1000', dmV: '1.2', lang: 'en-US' };

export const MESSAGES: Record<string, SyncMLMessage> = {
  'package 1: md5 Cred, MaxMsgSize, DevInfo': package1(toServer('1', {
    ...credFields('dmclient', md5Cred('dmclient', 'clientpwd', NONCE)),
    meta: { maxMsgSize: '5000', maxObjSize: '65536' },
  }), '1201', DEVINFO),
  'package 1: basic Cred, no DevInfo':
    package1(toServer('1', credFields('dmclient', basicCred('dmclient', 'pwd'))), '1200'),
  'challenge: SyncHdr Status 401 with Chal and NextNonce': {
    hdr: toClient('1', { respUri: `${SERVER}?s=2A` }),
    body: [status('1', '0', 'SyncHdr', '401', {
      targetRefs: [SERVER], sourceRefs: [CLIENT],
      chal: { type: AUTH_MD5, format: 'b64', nextNonce: NONCE.toString('base64') },
    })],
    final: true,
  },
  'server package: Status, Get, Replace, Add, Delete, Exec, Alert, Atomic, Sequence': {
    hdr: toClient('2', {
      ...credFields('dms.example.com', md5Cred('dms.example.com', 'serverpwd', NONCE)), meta: { maxMsgSize: '8192' },
    }),
    body: [
      status('1', '0', 'SyncHdr', '212', { targetRefs: [SERVER], sourceRefs: [CLIENT] }),
      status('2', '1', 'Alert', '200'),
      { kind: 'Get', cmdId: '3', items: [{ target: './DevDetail/SwV' }, { target: './Vendor/Apps?prop=ACL' }] },
      { kind: 'Replace', cmdId: '4', meta: { format: 'chr', type: 'text/plain' }, items: [
        { target: './Vendor/Apps/Timeout', data: '0030' },
        { target: './Vendor/Apps/Name', data: ' Mail & <Calendar> "ü€😀" ' },
      ] },
      { kind: 'Add', cmdId: '5', items: [
        { target: './Vendor/Apps/Mail', meta: { format: 'node' } },
        { target: './Vendor/Apps/Mail/Icon', meta: { format: 'b64', type: 'image/png' }, data: 'iVBORw0KGgo=' },
      ] },
      { kind: 'Delete', cmdId: '6', noResp: true, items: [{ target: './Vendor/Old' }] },
      { kind: 'Exec', cmdId: '7', items: [{ target: './Vendor/Apps/Mail/Sync', data: 'now' }] },
      { kind: 'Alert', cmdId: '8', data: '1100', items: [{ data: 'MINDT=10' }, { data: 'Continue?' }] },
      { kind: 'Atomic', cmdId: '9', commands: [
        { kind: 'Replace', cmdId: '10', items: [{ target: './Vendor/A', meta: { format: 'int' }, data: '1' }] },
        { kind: 'Sequence', cmdId: '11', commands: [
          { kind: 'Copy', cmdId: '12', items: [{ target: './Vendor/B', source: './Vendor/A' }] },
          { kind: 'Delete', cmdId: '13', items: [{ target: './Vendor/A' }] },
        ] },
      ] },
    ],
    final: false,
  },
  'client package: Status with refs, Results with Meta, Generic Alert': {
    hdr: toServer('2'),
    body: [
      status('1', '0', 'SyncHdr', '200', { msgRef: '2', targetRefs: [CLIENT], sourceRefs: [SERVER] }),
      status('2', '3', 'Get', '200', { msgRef: '2', targetRefs: ['./DevDetail/SwV', './Vendor/Apps?prop=ACL'] }),
      status('3', '6', 'Delete', '404', { msgRef: '2', targetRefs: ['./Vendor/Old'] }),
      { kind: 'Results', cmdId: '4', msgRef: '2', cmdRef: '3', meta: { format: 'chr', type: 'text/plain' }, items: [
        { source: './DevDetail/SwV', data: '1.0.3' },
        { source: './Vendor/Apps?prop=ACL', data: 'Get=*&Replace=dms.example.com' },
      ] },
      { kind: 'Alert', cmdId: '5', data: '1226', items: [{
        source: './Vendor/FUMO', sourceName: 'fumo',
        meta: { type: 'org.openmobilealliance.dm.firmwareupdate.devicerequest', format: 'chr', mark: 'critical' },
        data: '0',
      }] },
    ],
    final: true,
  },
};

/** Every message as XML: the built ones and the hand-written session fixtures (some pretty-printed). */
export const XML_MESSAGES: [string, string][] = [
  ...Object.entries(MESSAGES).map(([name, m]): [string, string] => [name, buildSyncML(m)]),
  ['fixture PKG1 (pretty-printed)', PKG1], ['fixture PKG2', PKG2], ['fixture PKG3 (pretty-printed)', PKG3],
  ['fixture MINIMAL', MINIMAL],
];
