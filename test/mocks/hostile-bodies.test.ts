import { getResponse } from 'msw';
import { describe, expect, test } from 'vitest';
import { BootstrapService } from '../../mocks/bootstrap/bootstrap-service.js';
import { delegationHandler } from '../../mocks/common/delegation-api.js';
import { parseDelegation } from '../../src/delegation/codec.js';
import { DmServer } from '../../src/dm/server-session.js';
import { MEDIA, SYNCML } from '../../src/profile.js';
import { buildSyncML } from '../../src/syncml/codec.js';
import { ALERT } from '../../src/syncml/codes.js';
import { decodeNotification, encodeNotification } from '../../src/syncml/notification.js';
import { package1 } from '../../src/syncml/package1.js';
import { REASON_HEADER } from '../../src/transport/https-endpoint.js';
import { NOT_UTF8 } from '../../src/transport/utf8.js';

/**
 * The mocks' handlers on bodies and media types a hostile peer sends: refused with the profile's answer and
 * a reason, never read as something else (a prefix of the media type, replacement characters).
 */
const INVALID_UTF8 = Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]);
const post = (path: string, contentType: string | undefined, body: Uint8Array | string) =>
  new Request(`https://127.0.0.1${path}`, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });

const dm = new DmServer({ serverId: 'dms1.example', url: () => 'https://127.0.0.1/dm', credentialsOf: () => undefined });
const delegation = delegationHandler(async (m) => m);
const bootstrap = new BootstrapService(() => 'https://127.0.0.1/bootstrap').handler();
const pkg1 = buildSyncML(package1({ verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId: '1', msgId: '1', target: 'https://127.0.0.1/dm', source: 'IMEI:1' }, ALERT.CLIENT_INITIATED_MGMT));

describe('hostile bodies and media types', () => {
  test.for([
    { name: 'DM session', handler: dm.handler(), path: '/dm', type: MEDIA.syncml },
    { name: 'bootstrap request', handler: bootstrap, path: '/bootstrap', type: MEDIA.syncml },
    { name: 'delegation API', handler: delegation, path: '/delegation', type: MEDIA.delegation },
  ])('$name: a body that is not UTF-8 is refused with 400 and says so', async ({ handler, path, type }) => {
    const res = (await getResponse([handler], post(path, type, INVALID_UTF8)))!;
    expect(res.status).toBe(400);
    expect(res.headers.get(REASON_HEADER)).toMatch(NOT_UTF8);
    if (type === MEDIA.delegation) expect(parseDelegation(await res.text())).toMatchObject({ ok: true, message: { type: 'Error', code: 'MALFORMED' } });
  });

  test.for([`${MEDIA.syncml}x`, `${MEDIA.syncml}-evil`, `${MEDIA.syncml}/x`, 'application/vnd.syncml.dm+xmlfoo; charset=utf-8'])('the DM session endpoint takes %s for no SyncML type', async (type) => {
    expect((await getResponse([dm.handler()], post('/dm', type, pkg1)))!.status).toBe(415);
  });

  test.for([`${MEDIA.syncml}; charset=utf-8`, 'Application/Vnd.SyncML.DM+XML', `${MEDIA.syncml} ; a="b;c"`])('the DM session endpoint takes %s (parameters parsed, case ignored)', async (type) => {
    expect((await getResponse([dm.handler()], post('/dm', type, pkg1)))!.status).toBe(200);
  });

  test('a SyncML-level refusal (HTTP 200, SyncHdr 407) carries its reason', async () => {
    const res = (await getResponse([dm.handler()], post('/dm', MEDIA.syncml, pkg1)))!;
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<Data>40[17]<\/Data>/);
    expect(res.headers.get(REASON_HEADER)).toMatch(/authentication failed \(40[17]\): unknown device IMEI:1/);
  });

  test('a Package #0 whose ServerID is not UTF-8 does not decode', () => {
    const pkg0 = encodeNotification({ uiMode: 1, initiator: 1, sessionId: 1, serverId: 'ab' }, { password: 'p', nonce: Buffer.alloc(0) });
    pkg0[pkg0.length - 1] = 0xff;
    expect(() => decodeNotification(pkg0)).toThrow(/not valid UTF-8/);
  });
});
