#!/usr/bin/env python3
"""A DMS-2 (the DM server that receives delegated authority), approach A only.

Follows docs/binding-profile.md and docs/vendor-guide.md section 3.2; standard library only.

  python3 dms2.py --cert C --key K --ca CA [--peer-cert DMS1_CERT] --port-dm 0 --port-delegation 0 [--fault NAME]

Prints one JSON line with its URLs once listening; stops on SIGTERM. The control endpoint (plain HTTP)
takes the setup driver's POST /control/configure
  {"peers":[{"serverId":"…","delegationUrl":"…"}],"pushUrl":"…"}
and POST /control/reset.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
import warnings
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = 'urn:dmdc:delegation:1.0'
DELEGATION_TYPE = 'application/vnd.dm.delegation+xml'
SYNCML_TYPE = 'application/vnd.syncml.dm+xml'
NOTIFICATION_TYPE = 'application/vnd.syncml.notification'
MAX_BODY = 262_144
FAULTS = ('tls11', 'malformed-initiation-response', 'silent-dm', 'wrong-addr', 'complete-twice',
          'no-client-cert-required', 'any-peer-certificate', 'no-dm-challenge')


def log(*parts):
    print('[dms2]', *parts, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Delegation documents (binding profile section 3)

SESSION_ID_RE = re.compile(r'^[A-Za-z0-9._-]{1,64}$')
SERVER_ID_RE = re.compile(r'^[^\s=&*+]+$')
DM_URI_RE = re.compile(r'^\.(/[^/]+)*$')


def ok_server_id(v):
    return bool(SERVER_ID_RE.match(v)) and v.isprintable()


def ok_dm_uri(v):
    if not DM_URI_RE.match(v) or '?prop=' in v:
        return False
    return all(seg not in ('.', '..') for seg in v.split('/')[1:])


# Message element -> {child: (min, max, kind)}; max None = repeatable.
TEXT = 'text'
MESSAGES = {
    'DelegationInitiationRequest': {
        'SessionId': (1, 1, 'sessionid'), 'DelegatorServerId': (1, 1, 'serverid'),
        'DelegateeServerId': (1, 1, 'serverid'), 'Device': (1, 1, 'device'),
        'DelegationType': (1, 1, 'dtype'), 'Subtree': (0, None, 'dmuri'), 'Approach': (1, 1, 'approach'),
    },
    'AccountRequest': {'SessionId': (1, 1, 'sessionid')},
    'BootstrapServerUrlRequest': {'SessionId': (1, 1, 'sessionid')},
    'ClientPrepared': {'SessionId': (1, 1, 'sessionid')},
    'Ack': {'SessionId': (1, 1, 'sessionid'), 'Of': (1, 1, 'of')},
    'Error': {'SessionId': (0, 1, 'sessionid'), 'Code': (1, 1, 'code'), 'Reason': (1, 1, TEXT)},
}
# Valid profile messages this endpoint does not serve (400 UNSUPPORTED).
OTHER_MESSAGES = ('DelegationInitiationResponse', 'BootstrapServerUrlResponse', 'AccountResponse',
                  'BootstrapOrder', 'BootstrapComplete', 'DelegationComplete')
DEVICE = {'DevId': (1, 1, TEXT), 'Man': (1, 1, TEXT), 'Mod': (1, 1, TEXT)}
ACK_OF = ('BootstrapComplete', 'ClientPrepared', 'DelegationComplete', 'BootstrapOrder')
ERROR_CODES = ('MALFORMED', 'INVALID', 'UNKNOWN_SESSION', 'OUT_OF_ORDER', 'UNSUPPORTED', 'REJECTED', 'INTERNAL')


class DocError(Exception):
    def __init__(self, code, reason, session_id=None):
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.session_id = session_id


def local(tag):
    return tag.split('}', 1)[1] if tag.startswith('{') else tag


def in_ns(el):
    return el.tag.startswith('{' + NS + '}')


def leaf_text(el, path, problems):
    if len(el) or el.attrib:
        problems.append(f'{path} must be a text element')
        return None
    v = el.text or ''
    if v == '':
        problems.append(f'{path} is empty')
        return None
    return v


def check_children(el, spec, path, problems):
    """Checks el's children against spec; returns {name: [elements]}."""
    if (el.text or '').strip():
        problems.append(f'{path} must not hold text')
    found = {}
    for child in el:
        name = local(child.tag)
        if not in_ns(child):
            problems.append(f'{path}/{name} is not in namespace {NS}')
            continue
        if name not in spec:
            problems.append(f'{path}/{name} is not allowed')
            continue
        found.setdefault(name, []).append(child)
        if (child.tail or '').strip():
            problems.append(f'{path} must not hold text')
    for name, (lo, hi, _) in spec.items():
        n = len(found.get(name, []))
        if n < lo:
            problems.append(f'{path}/{name} is missing')
        if hi is not None and n > hi:
            problems.append(f'{path}/{name} occurs {n} times (at most {hi})')
    return found


def check_value(kind, el, path, problems):
    if kind == 'device':
        if el.attrib:
            problems.append(f'{path} has attributes')
        found = check_children(el, DEVICE, path, problems)
        out = {}
        for name in DEVICE:
            for c in found.get(name, [])[:1]:
                out[name] = leaf_text(c, f'{path}/{name}', problems)
        return out
    if kind == 'dtype':
        if len(el) or (el.text or '').strip():
            problems.append(f'{path} must be empty')
        extra = set(el.attrib) - {'scope', 'duration'}
        for a in sorted(extra):
            problems.append(f'{path}/@{a} is not allowed')
        scope, duration = el.get('scope'), el.get('duration')
        if scope not in ('full', 'partial'):
            problems.append(f'{path}/@scope must be one of full, partial, found "{scope}"')
        if duration not in ('temporary', 'permanent'):
            problems.append(f'{path}/@duration must be one of temporary, permanent, found "{duration}"')
        return {'scope': scope, 'duration': duration}
    v = leaf_text(el, path, problems)
    if v is None:
        return None
    bad = {
        'sessionid': lambda: not SESSION_ID_RE.match(v),
        'serverid': lambda: not ok_server_id(v),
        'dmuri': lambda: not ok_dm_uri(v),
        'approach': lambda: v not in ('A', 'B'),
        'of': lambda: v not in ACK_OF,
        'code': lambda: v not in ERROR_CODES,
        TEXT: lambda: False,
    }[kind]()
    if bad:
        problems.append(f'{path} has an invalid value "{v}"')
    return v


def parse_document(raw):
    """Returns (message name, {child: value or [values]}); raises DocError."""
    if re.search(rb'<!DOCTYPE', raw, re.I):
        raise DocError('MALFORMED', 'a DOCTYPE is not allowed')
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        line, col = e.position
        raise DocError('MALFORMED', f'not well-formed XML at line {line}, column {col}')
    problems = []
    if root.tag != '{%s}Delegation' % NS:
        raise DocError('INVALID', f'root must be Delegation in namespace {NS}, found {root.tag}')
    if root.get('version') != '1.0':
        problems.append('Delegation/@version must be "1.0"')
    for a in root.attrib:
        if a != 'version':
            problems.append(f'Delegation/@{a} is not allowed')
    if (root.text or '').strip() or any((c.tail or '').strip() for c in root):
        problems.append('Delegation must not hold text')
    if len(root) != 1:
        raise DocError('INVALID', f'Delegation must hold exactly one message element, found {len(root)}')
    msg = root[0]
    name = local(msg.tag)
    if not in_ns(msg):
        raise DocError('INVALID', f'Delegation/{name} is not in namespace {NS}')
    if name in OTHER_MESSAGES:
        sid = msg.find('{%s}SessionId' % NS)
        raise DocError('UNSUPPORTED', f'{name} is not served at this endpoint',
                       sid.text if sid is not None else None)
    if name not in MESSAGES:
        raise DocError('INVALID', f'Delegation/{name} is not a profile 1.0 message')
    if msg.attrib:
        problems.append(f'{name} has attributes')
    spec = MESSAGES[name]
    found = check_children(msg, spec, name, problems)
    values = {}
    for child, (lo, hi, kind) in spec.items():
        els = found.get(child, [])
        vals = [check_value(kind, el, f'{name}/{child}' + (f'[{i + 1}]' if len(els) > 1 else ''), problems)
                for i, el in enumerate(els)]
        values[child] = vals if hi is None else (vals[0] if vals else None)
    if name == 'DelegationInitiationRequest':
        subs = values.get('Subtree') or []
        dtype = values.get('DelegationType') or {}
        if dtype.get('scope') == 'partial' and not subs:
            problems.append(f'{name}/Subtree is missing (scope partial needs at least one)')
        if len(set(subs)) != len(subs):
            problems.append(f'{name}/Subtree has duplicates')
    if problems:
        sid = values.get('SessionId')
        raise DocError('INVALID', '; '.join(problems), sid if isinstance(sid, str) else None)
    return name, values


def esc(v):
    return (str(v).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;'))


def document(message, children):
    """children: list of (name, text) or (name, [(…)]) or raw XML strings."""
    def render(items, indent):
        out = []
        for item in items:
            if isinstance(item, str):
                out.append(indent + item)
                continue
            name, value = item
            if isinstance(value, list):
                out.append(f'{indent}<{name}>')
                out.extend(render(value, indent + '  '))
                out.append(f'{indent}</{name}>')
            else:
                out.append(f'{indent}<{name}>{esc(value)}</{name}>')
        return out
    body = '\n'.join(render(children, '    '))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Delegation xmlns="{NS}" version="1.0">\n'
            f'  <{message}>\n{body}\n  </{message}>\n</Delegation>\n').encode('utf-8')


def error_document(code, reason, session_id=None):
    children = ([('SessionId', session_id)] if session_id and SESSION_ID_RE.match(session_id) else [])
    return document('Error', children + [('Code', code), ('Reason', reason)])


# --------------------------------------------------------------------------------------------------
# State

class Delegation:
    def __init__(self, session_id, req, account):
        self.session_id = session_id
        self.delegator = req['DelegatorServerId']
        self.device = req['Device']
        self.scope = req['DelegationType']['scope']
        self.duration = req['DelegationType']['duration']
        self.subtrees = list(req.get('Subtree') or [])
        self.account = account
        self.declined = None
        self.state = 'initiated'  # → account-sent → prepared → in-session → session-done → complete
        self.pkg0_session = None
        self.session_done = threading.Event()
        self.session_ok = False
        self.session_reason = ''
        self.acls = {}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.peers = {}
        self.push_url = None
        self.delegations = {}
        self.dm_sessions = {}


STATE = State()
ARGS = None
URLS = {}
# SHA-256 of the DER of the one peer certificate the delegation API takes (--peer-cert); None: any of the CA.
PEER_CERT_SHA256 = None
STOP = threading.Event()


def b64(data):
    return base64.b64encode(data).decode('ascii')


def md5(data):
    return hashlib.md5(data).digest()


def new_account(dev_id):
    """DMS-2's account for this device: fresh credentials per delegation."""
    addr = URLS['dm']
    if ARGS.fault == 'wrong-addr':
        # A stale path on the same server (still served below), so only the address is wrong.
        addr = URLS['dm_base'] + '/legacy/dm'
    return {
        'ServerId': ARGS.server_id, 'Name': 'Independent DMS-2', 'Addr': addr, 'AddrType': 'URI',
        'AAuthPref': 'DIGEST',
        'client': {'Name': dev_id, 'Secret': secrets.token_hex(12), 'Data': b64(secrets.token_bytes(16))},
        'server': {'Name': ARGS.server_id, 'Secret': secrets.token_hex(12), 'Data': b64(secrets.token_bytes(16))},
    }


def account_xml(acc):
    def app_auth(level, c):
        return ('AppAuth', [('Level', level), ('Type', 'DIGEST'), ('Name', c['Name']), ('Secret', c['Secret']),
                            ('Data', c['Data'])])
    return ('Account', [('ServerId', acc['ServerId']), ('Name', acc['Name']), ('Addr', acc['Addr']),
                        ('AddrType', acc['AddrType']), ('AAuthPref', acc['AAuthPref']),
                        app_auth('CLCRED', acc['client']), app_auth('SRVCRED', acc['server'])])


# --------------------------------------------------------------------------------------------------
# TLS and HTTP plumbing

def server_context(mutual):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    if ARGS.fault == 'tls11':
        warnings.simplefilter('ignore', DeprecationWarning)
        ctx.set_ciphers('DEFAULT@SECLEVEL=0')
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if mutual:
        ctx.load_verify_locations(ARGS.ca)
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def client_context(present_cert):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(ARGS.ca)
    if present_cert:
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
    return ctx


class TlsServer(ThreadingHTTPServer):
    """Handshakes in the connection's own thread, so a stalled peer cannot block accept()."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, ctx):
        super().__init__(addr, handler)
        self.ctx = ctx

    def finish_request(self, request, client_address):
        request.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log('TLS handshake refused', self.server_address[1], type(e).__name__, e)
            return
        tls.settimeout(None)
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        log('connection error from', client_address, sys.exc_info()[1])


def post(url, body, content_type, present_cert, timeout=5.0):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port or 443, context=client_context(present_cert),
                                       timeout=timeout)
    try:
        path = u.path or '/'
        if u.query:
            path += '?' + u.query
        conn.request('POST', path, body=body, headers={'Content-Type': content_type,
                                                        'Content-Length': str(len(body))})
        r = conn.getresponse()
        return r.status, r.getheader('Content-Type'), r.read()
    finally:
        conn.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'independent-dms2'

    def log_message(self, fmt, *args):
        log(self.server.server_address[1], fmt % args)

    def reply(self, status, content_type, body):
        self.send_response(status)
        if content_type:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def read_body(self, limit):
        n = int(self.headers.get('Content-Length') or 0)
        if n > limit:
            return None
        return self.rfile.read(n) if n else b''


# --------------------------------------------------------------------------------------------------
# Delegation API (POST /delegation, mutual TLS)

class DelegationHandler(Handler):
    def do_POST(self):
        if urllib.parse.urlsplit(self.path).path != '/delegation':
            return self.reply(404, 'text/plain', b'not found')
        # Binding profile 2.1: the peer is its own pre-exchanged certificate, not any one of the CA.
        if PEER_CERT_SHA256 and ARGS.fault != 'any-peer-certificate' and hashlib.sha256(self.connection.getpeercert(binary_form=True) or b'').digest() != PEER_CERT_SHA256:
            return self.fail(403, 'REJECTED', 'the client certificate is not the one of a known peer', None)
        media = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        n = int(self.headers.get('Content-Length') or 0)
        if n > MAX_BODY:
            # Read what was sent (within a bound) before answering: a close with the body unread resets the
            # connection, and the peer may lose the 413 (RFC 9112 section 9.6).
            if n <= 4 * MAX_BODY:
                self.rfile.read(n)
            self.close_connection = True
            return self.reply(413, DELEGATION_TYPE, error_document('UNSUPPORTED', f'body over {MAX_BODY} bytes'))
        raw = self.rfile.read(n) if n else b''
        if media != DELEGATION_TYPE:
            return self.reply(415, DELEGATION_TYPE, error_document('UNSUPPORTED', f'Content-Type must be {DELEGATION_TYPE}'))
        try:
            name, v = parse_document(raw)
        except DocError as e:
            log('refused:', e.code, e.reason)
            return self.reply(400, DELEGATION_TYPE, error_document(e.code, e.reason, e.session_id))
        handler = {
            'DelegationInitiationRequest': self.initiation,
            'AccountRequest': self.account_request,
            'ClientPrepared': self.client_prepared,
            'BootstrapServerUrlRequest': self.bootstrap_url_request,
        }.get(name)
        if handler is None:
            return self.reply(400, DELEGATION_TYPE, error_document('UNSUPPORTED', f'{name} is not served here',
                                                                 v.get('SessionId')))
        after = handler(v)
        if after:
            after()

    def fail(self, status, code, reason, sid):
        log('refused:', status, code, reason)
        self.reply(status, DELEGATION_TYPE, error_document(code, reason, sid))

    @staticmethod
    def register(sid, v):
        d = Delegation(sid, v, new_account(v['Device']['DevId']))
        if v['DelegateeServerId'] != ARGS.server_id:
            d.declined = f'this server is {ARGS.server_id}, not {v["DelegateeServerId"]}'
        elif v['Approach'] != 'A':
            d.declined = 'only approach A is supported'
        if d.declined:
            d.state = 'declined'
        STATE.delegations[sid] = d

    def initiation(self, v):
        sid = v['SessionId']
        refusal = None
        with STATE.lock:
            if sid in STATE.delegations:
                refusal = (409, 'OUT_OF_ORDER', f'SessionId {sid} is already in use')
            elif STATE.peers and v['DelegatorServerId'] not in STATE.peers:
                refusal = (403, 'REJECTED', f'{v["DelegatorServerId"]} is not a known peer')
            else:
                self.register(sid, v)
        if refusal:
            return self.fail(*refusal, sid)
        d = STATE.delegations[sid]
        reason = d.declined
        if ARGS.fault == 'malformed-initiation-response':
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Delegation xmlns="{NS}" version="1.0">\n'
                    f'  <DelegationInitiationResponse>\n    <SessionId>{sid}</SessionId>\n'
                    f'    <Accepted>true</Accepted>\n  </DelegationInitiationRespons>\n').encode()
            return self.reply(200, DELEGATION_TYPE, body)
        children = [('SessionId', sid), ('Accepted', 'false' if reason else 'true')]
        if reason:
            children.append(('Reason', reason))
        log('delegation', sid, 'from', v['DelegatorServerId'], 'accepted' if not reason else 'declined: ' + reason)
        self.reply(200, DELEGATION_TYPE, document('DelegationInitiationResponse', children))

    @staticmethod
    def advance(sid, expected_state, next_state, what):
        """Moves the delegation to next_state; returns (delegation, None) or (None, refusal)."""
        with STATE.lock:
            d = STATE.delegations.get(sid)
            if d is None:
                return None, (404, 'UNKNOWN_SESSION', f'no delegation {sid}')
            if d.state != expected_state:
                return None, (409, 'OUT_OF_ORDER', f'{what} not allowed in state {d.state}')
            d.state = next_state
            return d, None

    def account_request(self, v):
        sid = v['SessionId']
        d, refusal = self.advance(sid, 'initiated', 'account-sent', 'AccountRequest')
        if refusal:
            return self.fail(*refusal, sid)
        self.reply(200, DELEGATION_TYPE, document('AccountResponse', [('SessionId', sid), account_xml(d.account)]))

    def client_prepared(self, v):
        sid = v['SessionId']
        d, refusal = self.advance(sid, 'account-sent', 'prepared', 'ClientPrepared')
        if refusal:
            return self.fail(*refusal, sid)
        self.reply(200, DELEGATION_TYPE, document('Ack', [('SessionId', sid), ('Of', 'ClientPrepared')]))
        # A.7 starts only once the Ack (A.6) is on its way.
        return lambda: threading.Thread(target=initialise_client, args=(d,), daemon=True).start()

    def bootstrap_url_request(self, v):
        sid = v['SessionId']
        with STATE.lock:
            d = STATE.delegations.get(sid)
        if d is None:
            return self.fail(404, 'UNKNOWN_SESSION', f'no delegation {sid}', sid)
        if d.state == 'declined':
            return self.fail(409, 'OUT_OF_ORDER', f'delegation {sid} was declined', sid)
        self.fail(400, 'UNSUPPORTED', 'approach B is not supported by this server', sid)


# --------------------------------------------------------------------------------------------------
# A.7: Package #0 and the DM session; A.8: DelegationComplete

def package0(d):
    """DM 1.2 notification: digest(128) | version(10) ui-mode(2) initiator(1) future(27) sessionid(16)
    server-identifier length(8) | server-identifier | no vendor body."""
    server_id = ARGS.server_id.encode('utf-8')
    fixed = (12 << 30) | (0 << 28) | (1 << 27)  # 40 bits: version 1.2, ui-mode 0, server-initiated
    header = fixed.to_bytes(5, 'big') + struct.pack('>HB', d.pkg0_session, len(server_id))
    trigger = header + server_id
    cred = d.account['server']
    nonce = base64.b64decode(cred['Data'])
    digest = md5(b64(md5(f'{ARGS.server_id}:{cred["Secret"]}'.encode())).encode() + b':' + nonce + b':'
                 + b64(md5(trigger)).encode())
    return digest + trigger


def initialise_client(d):
    push = STATE.push_url
    d.pkg0_session = random.randint(1, 0xFFFF)
    with STATE.lock:
        STATE.dm_sessions[format(d.pkg0_session, 'X')] = {'delegation': d, 'msg': 0, 'authenticated': False}
    if not push:
        log('no push URL configured; cannot start the session of', d.session_id)
        return
    try:
        status, _, _ = post(push, package0(d), NOTIFICATION_TYPE, present_cert=False)
        log('Package #0 to', push, '->', status)
    except Exception as e:  # noqa: BLE001 - any failure only ends this delegation
        log('Package #0 to', push, 'failed:', e)
        return
    if not d.session_done.wait(timeout=ARGS.session_wait):
        log('no DM session with the client of', d.session_id, 'within', ARGS.session_wait, 's')
        return
    delegation_complete(d)


def delegation_complete(d):
    peer = STATE.peers.get(d.delegator)
    if not peer:
        log('no delegation URL for', d.delegator)
        return
    children = [('SessionId', d.session_id), ('Result', 'success' if d.session_ok else 'failure')]
    if not d.session_ok:
        children.append(('Reason', d.session_reason or 'the DM session with the client failed'))
    body = document('DelegationComplete', children)
    copies = 2 if ARGS.fault == 'complete-twice' else 1
    for i in range(copies):
        for attempt in range(3):
            try:
                status, ctype, answer = post(peer, body, DELEGATION_TYPE, present_cert=True)
            except Exception as e:  # noqa: BLE001 - no answer: a retry is allowed (profile 2.2)
                log('DelegationComplete to', peer, 'failed:', e)
                time.sleep(0.2)
                continue
            log('DelegationComplete', i + 1, 'to', peer, '->', status, answer[:200])
            if status == 200:
                check_ack(answer, d.session_id)
                break
            if 400 <= status < 500:
                break
            time.sleep(0.2)
    d.state = 'complete'


def check_ack(answer, sid):
    try:
        name, v = parse_document(answer)
    except DocError as e:
        log('DMS-1 answered DelegationComplete with an invalid document:', e.reason)
        return
    if name != 'Ack' or v.get('Of') != 'DelegationComplete' or v.get('SessionId') != sid:
        log('DMS-1 answered DelegationComplete with', name, v)


# --------------------------------------------------------------------------------------------------
# DM server (POST /dm, server-authenticated TLS): SyncML DM 1.2 XML

SYNCML_NS = 'SYNCML:SYNCML1.2'
METINF = 'syncml:metinf'


def child(el, name):
    if el is None:
        return None
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def children_named(el, name):
    return [c for c in el if local(c.tag) == name] if el is not None else []


def text_of(el, *path):
    for name in path:
        el = child(el, name)
        if el is None:
            return None
    return (el.text or '').strip()


def x(name, value):
    return f'<{name}>{esc(value)}</{name}>'


class DmHandler(Handler):
    def do_POST(self):
        body = self.read_body(1 << 20)
        if ARGS.fault == 'silent-dm':
            log('silent-dm: holding the request unanswered')
            STOP.wait()
            return
        if body is None:
            return self.reply(413, 'text/plain', b'too large')
        media = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if media != SYNCML_TYPE:
            return self.reply(415, 'text/plain', f'Content-Type must be {SYNCML_TYPE}'.encode())
        try:
            msg = ET.fromstring(body)
        except ET.ParseError as e:
            return self.reply(400, 'text/plain', f'not well-formed: {e}'.encode())
        out = handle_syncml(msg)
        if out is None and ARGS.fault == 'no-dm-challenge':
            return self.reply(400, 'text/plain', b'unknown session')
        if out is None:
            # DM Security 1.2.1: a client this server cannot authenticate is challenged, in SyncML.
            return self.reply(200, SYNCML_TYPE, challenge(msg))
        self.reply(200, SYNCML_TYPE, out)


def challenge(msg):
    """Answers a message of no session of ours: SyncHdr 401 (wrong Cred) or 407 (none), a Chal with a new nonce."""
    hdr = child(msg, 'SyncHdr')
    text = (lambda *p: text_of(hdr, *p) or '') if hdr is not None else (lambda *p: '')
    code = 401 if hdr is not None and child(hdr, 'Cred') is not None else 407
    chal = ('<Chal><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type>'
            f'<NextNonce xmlns="syncml:metinf">{b64(secrets.token_bytes(16))}</NextNonce></Meta></Chal>')
    status = ('<Status>' + x('CmdID', 1) + x('MsgRef', text('MsgID') or '1') + x('CmdRef', 0) + x('Cmd', 'SyncHdr')
              + x('TargetRef', text('Target', 'LocURI')) + x('SourceRef', text('Source', 'LocURI')) + chal + x('Data', code) + '</Status>')
    hdr_out = (x('VerDTD', '1.2') + x('VerProto', 'DM/1.2') + x('SessionID', text('SessionID')) + x('MsgID', 1)
               + '<Target>' + x('LocURI', text('Source', 'LocURI')) + '</Target><Source>' + x('LocURI', text('Target', 'LocURI') or URLS['dm']) + '</Source>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<SyncML xmlns="{SYNCML_NS}"><SyncHdr>{hdr_out}</SyncHdr>'
            f'<SyncBody>{status}<Final/></SyncBody></SyncML>\n').encode('utf-8')


def verify_cred(cred, acc):
    if cred is None:
        return False
    ctype = text_of(cred, 'Meta', 'Type')
    data = text_of(cred, 'Data') or ''
    c = acc['client']
    if ctype == 'syncml:auth-md5':
        nonce = base64.b64decode(c['Data'])
        expect = b64(md5(b64(md5(f'{c["Name"]}:{c["Secret"]}'.encode())).encode() + b':' + nonce))
        return secrets.compare_digest(data, expect)
    if ctype == 'syncml:auth-basic':
        return secrets.compare_digest(data, b64(f'{c["Name"]}:{c["Secret"]}'.encode()))
    return False


def handle_syncml(msg):
    hdr = child(msg, 'SyncHdr')
    body = child(msg, 'SyncBody')
    if hdr is None or body is None:
        return None
    sid = text_of(hdr, 'SessionID') or ''
    msg_id = text_of(hdr, 'MsgID') or '1'
    target = text_of(hdr, 'Target', 'LocURI') or URLS['dm']
    source = text_of(hdr, 'Source', 'LocURI') or ''
    with STATE.lock:
        s = STATE.dm_sessions.get(sid.upper())
    if s is None:
        log('DM message for unknown SessionID', sid)
        return None
    d = s['delegation']
    statuses = []
    commands = []
    cmd_id = [0]

    def next_id():
        cmd_id[0] += 1
        return cmd_id[0]

    def status(cmd_ref, cmd, code, target_ref=None, source_ref=None, extra=''):
        parts = [x('CmdID', next_id()), x('MsgRef', msg_id), x('CmdRef', cmd_ref), x('Cmd', cmd)]
        if target_ref:
            parts.append(x('TargetRef', target_ref))
        if source_ref:
            parts.append(x('SourceRef', source_ref))
        statuses.append('<Status>' + ''.join(parts) + extra + x('Data', code) + '</Status>')

    # SyncHdr: MD5 digest of the client, accepted with 212 once per session.
    cred = child(hdr, 'Cred')
    if cred is not None:
        if verify_cred(cred, d.account):
            s['authenticated'] = True
            status(0, 'SyncHdr', 212, target, source)
        else:
            s['authenticated'] = False
            chal = ('<Chal><Meta><Format xmlns="syncml:metinf">b64</Format>'
                    '<Type xmlns="syncml:metinf">syncml:auth-md5</Type>'
                    f'<NextNonce xmlns="syncml:metinf">{d.account["client"]["Data"]}</NextNonce></Meta></Chal>')
            status(0, 'SyncHdr', 401, target, source, chal)
            d.session_reason = 'the client did not authenticate'
    elif s['authenticated']:
        status(0, 'SyncHdr', 200, target, source)
    else:
        chal = ('<Chal><Meta><Format xmlns="syncml:metinf">b64</Format>'
                '<Type xmlns="syncml:metinf">syncml:auth-md5</Type>'
                f'<NextNonce xmlns="syncml:metinf">{d.account["client"]["Data"]}</NextNonce></Meta></Chal>')
        status(0, 'SyncHdr', 407, target, source, chal)

    first = s['msg'] == 0
    results = {}
    for cmd in body:
        name = local(cmd.tag)
        if name == 'Final':
            continue
        ref = text_of(cmd, 'CmdID') or '0'
        if name == 'Status':
            code = text_of(cmd, 'Data')
            cref = text_of(cmd, 'CmdRef')
            if cref in s.get('gets', {}) and code != '200':
                results[s['gets'][cref]] = ('status', code)
            continue
        if name == 'Results':
            # RepPro 1.2.1: no Status for a Results that would be 200.
            for item in children_named(cmd, 'Item'):
                uri = text_of(item, 'Source', 'LocURI') or ''
                results[uri] = ('acl', text_of(item, 'Data') or '')
            continue
        if not s['authenticated']:
            status(ref, name, 407)
            continue
        if name == 'Alert':
            code = text_of(cmd, 'Data')
            status(ref, name, 200 if code in ('1200', '1201') else 406)
        elif name == 'Replace':
            status(ref, name, 200)
        else:
            status(ref, name, 406)

    if results:
        for uri, (kind, val) in results.items():
            d.acls[uri] = val if kind == 'acl' else f'status {val}'

    if s['authenticated'] and first:
        # Package 2: read the ACLs of the delegated subtrees.
        s['gets'] = {}
        for sub in (d.subtrees or ['.']):
            cid = next_id()
            s['gets'][str(cid)] = sub + '?prop=ACL'
            commands.append('<Get>' + x('CmdID', cid) + '<Item><Target>' + x('LocURI', sub + '?prop=ACL')
                            + '</Target></Item></Get>')
    s['msg'] += 1
    final = child(body, 'Final') is not None
    done = s['authenticated'] and not first and not commands and final
    hdr_out = (x('VerDTD', '1.2') + x('VerProto', 'DM/1.2') + x('SessionID', sid) + x('MsgID', s['msg'])
               + '<Target>' + x('LocURI', source) + '</Target><Source>' + x('LocURI', target) + '</Source>')
    out = (f'<?xml version="1.0" encoding="UTF-8"?>\n<SyncML xmlns="{SYNCML_NS}"><SyncHdr>{hdr_out}</SyncHdr>'
           f'<SyncBody>{"".join(statuses)}{"".join(commands)}<Final/></SyncBody></SyncML>\n')
    if done or (not s['authenticated'] and s['msg'] >= 3):
        finish_session(d, s)
    return out.encode('utf-8')


def finish_session(d, s):
    if d.session_done.is_set():
        return
    wanted = [sub + '?prop=ACL' for sub in (d.subtrees or ['.'])]
    missing = [u for u in wanted if u not in d.acls or d.acls[u].startswith('status ')]
    granted = [u for u in wanted if u in d.acls and re.search(r'(^|[=+])' + re.escape(ARGS.server_id) + r'($|[&+])',
                                                                 d.acls[u])]
    if not s['authenticated']:
        d.session_ok = False
    elif missing:
        d.session_ok = False
        d.session_reason = 'could not read ' + ', '.join(missing)
    elif d.subtrees and len(granted) != len(wanted):
        d.session_ok = False
        d.session_reason = 'no rights for ' + ARGS.server_id + ' on ' + ', '.join(u for u in wanted if u not in granted)
    else:
        d.session_ok = True
    log('DM session of', d.session_id, 'done:', 'ok' if d.session_ok else d.session_reason, d.acls)
    d.state = 'session-done'
    d.session_done.set()


# --------------------------------------------------------------------------------------------------
# Control endpoint (plain HTTP, for the setup/reset drivers)

class ControlHandler(Handler):
    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        raw = self.read_body(1 << 16) or b''
        if path == '/control/reset':
            with STATE.lock:
                STATE.delegations.clear()
                STATE.dm_sessions.clear()
            return self.reply(204, None, b'')
        if path != '/control/configure':
            return self.reply(404, 'text/plain', b'not found')
        try:
            cfg = json.loads(raw or b'{}')
            peers = {p['serverId']: p['delegationUrl'] for p in cfg.get('peers', [])}
        except (ValueError, KeyError, TypeError) as e:
            return self.reply(400, 'text/plain', f'bad configuration: {e}'.encode())
        with STATE.lock:
            STATE.peers = peers
            STATE.push_url = cfg.get('pushUrl') or None
        log('configured: peers', peers, 'push', STATE.push_url)
        self.reply(204, None, b'')

    def do_GET(self):
        with STATE.lock:
            body = json.dumps({'peers': STATE.peers, 'pushUrl': STATE.push_url,
                               'delegations': {k: v.state for k, v in STATE.delegations.items()}}).encode()
        self.reply(200, 'application/json', body)


class PlainServer(ThreadingHTTPServer):
    daemon_threads = True


# --------------------------------------------------------------------------------------------------

def main():
    global ARGS, PEER_CERT_SHA256
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--cert', required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--ca', required=True)
    p.add_argument('--peer-cert', help="DMS-1's certificate (PEM): the only client the delegation API takes")
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port-dm', type=int, default=0)
    p.add_argument('--port-delegation', type=int, default=0)
    p.add_argument('--port-control', type=int, default=0)
    p.add_argument('--server-id', default='dms2.example')
    p.add_argument('--session-wait', type=float, default=30.0, help='seconds to wait for the client after Package #0')
    p.add_argument('--fault', choices=FAULTS)
    ARGS = p.parse_args()
    if ARGS.peer_cert:
        with open(ARGS.peer_cert) as f:
            PEER_CERT_SHA256 = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).digest()

    mutual = ARGS.fault != 'no-client-cert-required'
    dm = TlsServer((ARGS.host, ARGS.port_dm), DmHandler, server_context(mutual=False))
    dlg = TlsServer((ARGS.host, ARGS.port_delegation), DelegationHandler, server_context(mutual=mutual))
    ctl = PlainServer((ARGS.host, ARGS.port_control), ControlHandler)
    URLS['dm_base'] = f'https://{ARGS.host}:{dm.server_address[1]}'
    URLS['dm'] = URLS['dm_base'] + '/dm'
    URLS['delegation'] = f'https://{ARGS.host}:{dlg.server_address[1]}/delegation'
    URLS['control'] = f'http://{ARGS.host}:{ctl.server_address[1]}'
    for srv in (dm, dlg, ctl):
        threading.Thread(target=srv.serve_forever, daemon=True).start()

    def stop(signum, frame):
        STOP.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(json.dumps({'dm': URLS['dm'], 'delegation': URLS['delegation'], 'control': URLS['control'],
                      'serverId': ARGS.server_id, 'fault': ARGS.fault}), flush=True)
    while not STOP.wait(0.5):
        pass
    for srv in (dm, dlg, ctl):
        srv.server_close()
    os._exit(0)


if __name__ == '__main__':
    main()
