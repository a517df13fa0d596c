/** The diagram's short text for SyncML and delegation messages: the command that matters first. */
import { describe, expect, test } from 'vitest';
import { delegationLabel, syncmlLabel } from '../../src/report/sequence-entries.js';
import type { Command, StatusCommand, SyncMLMessage } from '../../src/syncml/model.js';

const hdr = { verDTD: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '2', target: 'IMEI:1', source: 'https://dms1/dm' };
const msg = (...body: Command[]): SyncMLMessage => ({ hdr, body, final: true });
const status = (cmdId: string, cmd: string, data: string, target?: string): StatusCommand => ({
  kind: 'Status', cmdId, msgRef: '1', cmdRef: cmd === 'SyncHdr' ? '0' : '3', cmd, targetRefs: target ? [target] : [], sourceRefs: [], data, items: [],
});
const item = (target: string) => ({ target });

describe('SyncML labels', () => {
  test('the ACL Replace before the statuses that lead the message, and the statuses counted', () => {
    const m = msg(status('1', 'SyncHdr', '212'), status('2', 'Alert', '200'), { kind: 'Replace', cmdId: '3', items: [item('./Vendor?prop=ACL')] });
    expect(syncmlLabel(m)).toBe('Replace ./Vendor?prop=ACL · +2 Status 212/200');
  });

  test('most significant first: ACL Replace, Delete, Add, Alert, other Replace, Get; several items counted', () => {
    const m = msg(
      { kind: 'Get', cmdId: '2', items: [item('./DMAcc?list=Struct')] },
      { kind: 'Add', cmdId: '3', items: [item('./DMAcc/dms2'), item('./DMAcc/dms2/AppID')] },
      { kind: 'Delete', cmdId: '4', items: [item('./DMAcc/dms1')] },
      { kind: 'Replace', cmdId: '5', items: [item('./Vendor/Apps?prop=ACL'), item('./Vendor/Conn?prop=ACL')] },
      { kind: 'Replace', cmdId: '6', items: [item('./Vendor/Ops/Mode')] },
    );
    expect(syncmlLabel(m)).toBe('Replace ./Vendor/Apps?prop=ACL (+1) · Delete ./DMAcc/dms1 · Add ./DMAcc/dms2 (+1) · Replace ./Vendor/Ops/Mode · Get ./DMAcc?list=Struct');
  });

  test('a package 1 by its Alert code, then the DevInfo it carries', () => {
    const m = msg({ kind: 'Alert', cmdId: '1', data: '1201', items: [] }, { kind: 'Replace', cmdId: '2', items: [item('./DevInfo/DevId'), item('./DevInfo/Man')] });
    expect(syncmlLabel(m)).toBe('Alert 1201 · Replace ./DevInfo/DevId (+1)');
  });

  test('commands inside Atomic and Sequence count as the message\'s', () => {
    const m = msg({ kind: 'Atomic', cmdId: '2', commands: [{ kind: 'Delete', cmdId: '3', items: [item('./DMAcc/dms1')] }] });
    expect(syncmlLabel(m)).toBe('Delete ./DMAcc/dms1');
  });

  test("an answer of statuses only: a refusal with what it refused, else the most significant command's status", () => {
    expect(syncmlLabel(msg(status('1', 'SyncHdr', '200'), status('2', 'Get', '200', './Vendor'), status('3', 'Replace', '200', './Vendor?prop=ACL')))).toBe(
      'Status 200 for Replace ./Vendor?prop=ACL · +2 Status 200',
    );
    expect(syncmlLabel(msg(status('1', 'SyncHdr', '200'), status('2', 'Replace', '425', './Vendor?prop=ACL')))).toBe('Status 425 for Replace ./Vendor?prop=ACL · +1 Status 200');
    // The SyncHdr's own status names no URL: only whether the sender was authenticated.
    expect(syncmlLabel(msg(status('1', 'SyncHdr', '401', 'https://dms1/dm')))).toBe('Status 401 SyncHdr');
    expect(syncmlLabel(msg())).toBe('(no commands)');
  });

  test('a refusal goes before the Results of a Get', () => {
    const m = msg(status('1', 'SyncHdr', '200'), status('2', 'Add', '425', './DMAcc/x'), { kind: 'Results', cmdId: '3', msgRef: '1', cmdRef: '2', items: [{ source: './Vendor?prop=ACL' }] });
    expect(syncmlLabel(m)).toBe('Status 425 for Add ./DMAcc/x · Results ./Vendor?prop=ACL · +1 Status 200');
  });
});

describe('delegation labels', () => {
  test('by type, with the fact that tells how it went', () => {
    expect(delegationLabel({ type: 'Ack', sessionId: 's', of: 'BootstrapComplete' })).toBe('Ack of BootstrapComplete');
    expect(delegationLabel({ type: 'DelegationComplete', sessionId: 's', result: 'failure' } as never)).toBe('DelegationComplete failure');
    expect(delegationLabel({ type: 'Error', sessionId: 's', code: 'OUT_OF_ORDER', reason: 'x' } as never)).toBe('Error OUT_OF_ORDER');
    expect(delegationLabel({ type: 'ClientPrepared', sessionId: 's' } as never)).toBe('ClientPrepared');
  });
});
