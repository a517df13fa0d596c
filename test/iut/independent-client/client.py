#!/usr/bin/env python3
"""A DM Client (the device), written from docs/vendor-guide.md section 3.4 and docs/binding-profile.md only.

Standard library only. SyncML DM 1.2 in XML (application/vnd.syncml.dm+xml).

  python3 client.py --cert C --key K --ca CA --tree client-initial.json [--port-push 0] [--port-control 0]
                    [--max-msg-size 2048] [--fault NAME]

Prints one JSON line {"push": ..., "control": ...} once listening; stops on SIGTERM.

Package #0 endpoint (HTTPS): POST /push, application/vnd.syncml.notification.
Control endpoint (plain HTTP on 127.0.0.1):
  POST /control/reset                       the initial tree again (accounts, ACLs, nonces)
  POST /control/configure {"dms1Url": ...}  DMS-1's DM URL in its account's AppAddr
  GET  /control/tree                        the tree as a TreeSnapshot (debugging only)
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import queue
import re
import secrets
import signal
import ssl
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SYNCML_XML = 'application/vnd.syncml.dm+xml'
NOTIFICATION_TYPE = 'application/vnd.syncml.notification'
NS = 'SYNCML:SYNCML1.2'
METINF = 'syncml:metinf'
FAULTS = ('wrong-mac', 'stale-nonce', 'no-next-message', 'ignore-max-msg-size', 'ignore-acl', 'bad-sessionid',
          'accept-any-server-cred', 'accept-bad-pkg0', 'session-scoped-nonce')
ACL_COMMANDS = ('Add', 'Delete', 'Exec', 'Get', 'Replace')
ARGS = None
STOP = threading.Event()
JOBS = queue.Queue()


def log(*parts):
    print('[client]', *parts, file=sys.stderr, flush=True)


def b64(data):
    return base64.b64encode(data).decode('ascii')


def md5(data):
    return hashlib.md5(data).digest()


def fault(name):
    return ARGS.fault == name


# --------------------------------------------------------------------------------------------------
# The DM tree

class Tree:
    """Nodes by path ('.', './DevInfo', ...), each {'format', 'value', 'acl'}; insertion order kept."""

    def __init__(self, nodes):
        self.nodes = {}
        for n in nodes:
            self.nodes[n['path']] = {'format': n.get('format', 'chr'), 'value': n.get('value'),
                                     'acl': n.get('acl', '')}

    @staticmethod
    def parent(path):
        return path.rsplit('/', 1)[0] if path != '.' else None

    def exists(self, path):
        return path in self.nodes

    def children(self, path):
        pre = path + '/'
        return [p[len(pre):] for p in self.nodes if p.startswith(pre) and '/' not in p[len(pre):]]

    def subtree(self, path):
        pre = path + '/'
        return [p for p in self.nodes if p == path or p.startswith(pre)]

    def effective_acl(self, path):
        p = path
        while p is not None:
            n = self.nodes.get(p)
            if n is not None and n['acl']:
                return n['acl']
            p = self.parent(p)
        return ''

    def allows(self, path, cmd, server_id):
        for entry in self.effective_acl(path).split('&'):
            if '=' not in entry:
                continue
            c, ids = entry.split('=', 1)
            if c == cmd and any(i == '*' or i == server_id for i in ids.split('+')):
                return True
        return False

    def nearest_existing(self, path):
        p = path
        while p is not None and p not in self.nodes:
            p = self.parent(p)
        return p

    def value(self, path):
        n = self.nodes.get(path)
        return n['value'] if n else None

    def snapshot(self):
        out = []
        for p, n in self.nodes.items():
            e = {'path': p, 'format': n['format'], 'acl': n['acl']}
            if n['format'] != 'node':
                e['value'] = n['value'] if n['value'] is not None else ''
            out.append(e)
        return {'nodes': out}


class State:
    def __init__(self):
        self.lock = threading.RLock()
        self.dms1_url = None
        self.tree = None
        self.session_counter = int.from_bytes(secrets.token_bytes(2), 'big') % 0x7000 + 0x1000
        self.reset()

    def reset(self):
        with open(ARGS.tree) as f:
            nodes = json.load(f)['nodes']
        with self.lock:
            self.tree = Tree(nodes)
            self.apply_dms1_url()

    def apply_dms1_url(self):
        if not self.dms1_url:
            return
        for n in self.tree.nodes.values():
            if isinstance(n['value'], str) and '{{dms1.dm}}' in n['value']:
                n['value'] = n['value'].replace('{{dms1.dm}}', self.dms1_url)
        acc = self.account_for(ARGS.dms1_server_id)
        if acc:
            for a in self.tree.children(acc + '/AppAddr'):
                self.tree.nodes[f'{acc}/AppAddr/{a}/Addr']['value'] = self.dms1_url
                break

    def accounts(self):
        root = ARGS.dmacc_root
        return [f'{root}/{c}' for c in self.tree.children(root)]

    def account_for(self, server_id):
        for acc in self.accounts():
            if self.tree.value(acc + '/ServerID') == server_id:
                return acc
        return None

    def app_auth(self, acc, level):
        """The AppAuth entry of `acc` with AAuthLevel `level`: its path, or None."""
        for c in self.tree.children(acc + '/AppAuth'):
            p = f'{acc}/AppAuth/{c}'
            if self.tree.value(p + '/AAuthLevel') == level:
                return p
        return None

    def cred(self, acc, level):
        p = self.app_auth(acc, level)
        if not p:
            return None
        v = lambda leaf: self.tree.value(f'{p}/{leaf}') or ''
        data = v('AAuthData')
        try:
            nonce = base64.b64decode(data, validate=True) if data else b''
        except ValueError:
            nonce = data.encode()
        return {'path': p, 'type': v('AAuthType') or 'DIGEST', 'name': v('AAuthName'), 'secret': v('AAuthSecret'),
                'nonce': nonce}

    def set_nonce(self, acc, level, nonce_b64):
        p = self.app_auth(acc, level)
        if not p:
            return
        leaf = p + '/AAuthData'
        if leaf in self.tree.nodes:
            self.tree.nodes[leaf]['value'] = nonce_b64
        else:
            self.tree.nodes[leaf] = {'format': 'bin', 'value': nonce_b64, 'acl': ''}

    def addr(self, acc):
        for c in self.tree.children(acc + '/AppAddr'):
            a = self.tree.value(f'{acc}/AppAddr/{c}/Addr')
            if a:
                return a
        return self.tree.value(acc + '/Addr')

    def dev_id(self):
        return self.tree.value('./DevInfo/DevId')

    def next_session_id(self):
        with self.lock:
            self.session_counter += 1
            if self.session_counter > 0xFEFF:
                self.session_counter = 0x1000
            return f'{self.session_counter:X}'


STATE = None

# --------------------------------------------------------------------------------------------------
# Credentials (binding profile 4.4, vendor guide 3.4 "Session authentication")


def md5_digest(name, secret, nonce):
    return b64(md5(b64(md5(f'{name}:{secret}'.encode())).encode() + b':' + nonce))


def hmac_mac(name, secret, nonce, body):
    inner = b64(md5(f'{name}:{secret}'.encode())).encode()
    return b64(md5(inner + b':' + nonce + b':' + b64(md5(body)).encode()))


def pkg0_digest(server_id, secret, nonce, trigger):
    inner = b64(md5(f'{server_id}:{secret}'.encode())).encode()
    return md5(inner + b':' + nonce + b':' + b64(md5(trigger)).encode())


HMAC_RE = re.compile(r'algorithm\s*=\s*MD5\s*,\s*username\s*=\s*"([^"]*)"\s*,\s*mac\s*=\s*([A-Za-z0-9+/=]+)', re.I)

# --------------------------------------------------------------------------------------------------
# SyncML XML


def esc(v):
    return (str(v).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;'))


def meta(**kv):
    return '<Meta>' + ''.join(f'<{k} xmlns="{METINF}">{esc(v)}</{k}>' for k, v in kv.items()) + '</Meta>'


def local(tag):
    return tag.rsplit('}', 1)[-1]


def kid(el, name):
    if el is None:
        return None
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def kids(el, name):
    return [c for c in el if local(c.tag) == name] if el is not None else []


def text(el, *path):
    for name in path:
        el = kid(el, name)
        if el is None:
            return None
    return (el.text or '').strip() if el is not None else None


def raw_text(el, *path):
    for name in path:
        el = kid(el, name)
        if el is None:
            return None
    return el.text or '' if el is not None else None


def chal(auth_type, nonce_b64):
    t = {'DIGEST': 'syncml:auth-md5', 'HMAC': 'syncml:auth-MAC', 'BASIC': 'syncml:auth-basic'}[auth_type]
    inner = f'<Format xmlns="{METINF}">b64</Format><Type xmlns="{METINF}">{t}</Type>'
    if nonce_b64 is not None:
        inner += f'<NextNonce xmlns="{METINF}">{nonce_b64}</NextNonce>'
    return f'<Chal><Meta>{inner}</Meta></Chal>'


def status_xml(cmd_id, msg_ref, cmd_ref, cmd, code, target_ref=None, source_ref=None, extra=''):
    s = f'<Status><CmdID>{cmd_id}</CmdID><MsgRef>{msg_ref}</MsgRef><CmdRef>{cmd_ref}</CmdRef><Cmd>{cmd}</Cmd>'
    if target_ref is not None:
        s += f'<TargetRef>{esc(target_ref)}</TargetRef>'
    if source_ref is not None:
        s += f'<SourceRef>{esc(source_ref)}</SourceRef>'
    return s + extra + f'<Data>{code}</Data></Status>'


class Msg:
    """A parsed server message."""

    def __init__(self, body):
        root = ET.fromstring(body)
        if local(root.tag) != 'SyncML':
            raise ValueError('not SyncML')
        self.hdr = kid(root, 'SyncHdr')
        self.body = kid(root, 'SyncBody')
        if self.hdr is None or self.body is None:
            raise ValueError('no SyncHdr or SyncBody')
        self.session_id = text(self.hdr, 'SessionID')
        self.msg_id = text(self.hdr, 'MsgID')
        self.target = text(self.hdr, 'Target', 'LocURI')
        self.source = text(self.hdr, 'Source', 'LocURI')
        self.resp_uri = text(self.hdr, 'RespURI')
        mms = text(self.hdr, 'Meta', 'MaxMsgSize')
        self.max_msg_size = int(mms) if mms and mms.isdigit() else None
        self.cred = kid(self.hdr, 'Cred')
        self.final = kid(self.body, 'Final') is not None
        self.commands = [c for c in self.body if local(c.tag) not in ('Final',)]


# --------------------------------------------------------------------------------------------------
# Commands on the tree

ACL_ID_RE = re.compile(r'^[^\s&+=]+$')


def valid_acl(acl):
    if acl == '':
        return True
    for entry in acl.split('&'):
        if '=' not in entry:
            return False
        c, ids = entry.split('=', 1)
        if c not in ACL_COMMANDS or ids == '':
            return False
        if not all(ACL_ID_RE.match(i) for i in ids.split('+')):
            return False
    return True


def split_uri(uri):
    uri = uri or ''
    path, _, query = uri.partition('?')
    path = path.rstrip('/') if path not in ('.', './') else '.'
    if path == './':
        path = '.'
    if not (path == '.' or path.startswith('./')):
        path = './' + path if path else '.'
    return path, query


class Executor:
    def __init__(self, server_id, session):
        self.sid = server_id
        self.session = session
        self.tree = STATE.tree

    def may(self, path, cmd):
        return fault('ignore-acl') or self.tree.allows(path, cmd, self.sid)

    def run(self, cmd, msg_id, out):
        """Appends this command's Status (and Results) to out (a list of callables cmd_id -> xml)."""
        name = local(cmd.tag)
        cmd_id = text(cmd, 'CmdID')
        if name in ('Status', 'Results'):
            return
        if name == 'Alert':
            out.append(lambda i, c=cmd_id: status_xml(i, msg_id, c, 'Alert', 200))
            return
        if name in ('Atomic', 'Sequence'):
            out.append(lambda i, c=cmd_id, n=name: status_xml(i, msg_id, c, n, 200))
            for sub in cmd:
                if local(sub.tag) in ('Get', 'Add', 'Replace', 'Delete', 'Exec', 'Copy', 'Alert'):
                    self.run(sub, msg_id, out)
            return
        cmd_format = text(cmd, 'Meta', 'Format')
        items = kids(cmd, 'Item')
        if name not in ('Get', 'Add', 'Replace', 'Delete'):
            for it in items or [None]:
                uri = text(it, 'Target', 'LocURI') if it is not None else None
                out.append(lambda i, c=cmd_id, u=uri, n=name: status_xml(i, msg_id, c, n, 406, target_ref=u))
            return
        for it in items:
            uri = text(it, 'Target', 'LocURI')
            fmt = text(it, 'Meta', 'Format') or cmd_format
            data = raw_text(it, 'Data')
            code, result = getattr(self, name.lower())(uri, fmt, data)
            log(f'  {name} {uri} -> {code}')
            out.append(lambda i, c=cmd_id, u=uri, n=name, k=code: status_xml(i, msg_id, c, n, k, target_ref=u))
            if result is not None:
                out.append(lambda i, c=cmd_id, r=result: (
                    f'<Results><CmdID>{i}</CmdID><MsgRef>{msg_id}</MsgRef><CmdRef>{c}</CmdRef>{r}</Results>'))

    def get(self, uri, fmt, data):
        path, query = split_uri(uri)
        if not self.tree.exists(path):
            return 404, None
        if not self.may(path, 'Get'):
            return 425, None
        n = self.tree.nodes[path]
        if query == 'prop=ACL':
            item = (f'<Item><Source><LocURI>{esc(uri)}</LocURI></Source>{meta(Format="chr")}'
                    f'<Data>{esc(n["acl"])}</Data></Item>')
            return 200, item
        if query:
            return 406, None
        if n['format'] == 'node':
            value = '/'.join(self.tree.children(path))
        else:
            value = n['value'] if n['value'] is not None else ''
        item = f'<Item><Source><LocURI>{esc(uri)}</LocURI></Source>{meta(Format=n["format"])}<Data>{esc(value)}</Data></Item>'
        return 200, item

    def new_interior_acl(self, path):
        parent = self.tree.parent(path)
        if self.tree.allows(parent, 'Replace', self.sid):
            return ''
        return f'Add={self.sid}&Delete={self.sid}&Replace={self.sid}'

    def add(self, uri, fmt, data):
        path, query = split_uri(uri)
        if query:
            return 406, None
        if path == '.' or self.tree.exists(path):
            return 418, None
        anc = self.tree.nearest_existing(path)
        if self.tree.nodes[anc]['format'] != 'node':
            return 405, None
        if not self.may(anc, 'Add'):
            return 425, None
        # Interior nodes created implicitly along the path, then the node itself.
        missing = []
        p = self.tree.parent(path)
        while p != anc:
            missing.append(p)
            p = self.tree.parent(p)
        for m in reversed(missing):
            self.tree.nodes[m] = {'format': 'node', 'value': None, 'acl': self.new_interior_acl(m)}
        fmt = fmt or 'chr'
        if fmt == 'node':
            self.tree.nodes[path] = {'format': 'node', 'value': None, 'acl': self.new_interior_acl(path)}
        else:
            self.tree.nodes[path] = {'format': fmt, 'value': (data or '').strip() if fmt == 'bin' else (data or ''),
                                     'acl': ''}
        self.session.added(path)
        return 200, None

    def replace(self, uri, fmt, data):
        path, query = split_uri(uri)
        if not self.tree.exists(path):
            return 404, None
        if not self.may(path, 'Replace'):
            return 425, None
        n = self.tree.nodes[path]
        if query == 'prop=ACL':
            acl = (data or '').strip()
            if not valid_acl(acl) or (path == '.' and acl == ''):
                return 400, None
            n['acl'] = acl
            return 200, None
        if query:
            return 406, None
        if n['format'] == 'node':
            return 405, None
        n['value'] = data or ''
        if fmt:
            n['format'] = fmt
        return 200, None

    def delete(self, uri, fmt, data):
        path, query = split_uri(uri)
        if query:
            return 406, None
        if not self.tree.exists(path):
            return 404, None
        if path == '.':
            return 405, None
        if not self.may(path, 'Delete'):
            return 425, None
        gone_server = None
        if self.tree.parent(path) == ARGS.dmacc_root:
            gone_server = self.tree.value(path + '/ServerID')
        for p in self.tree.subtree(path):
            del self.tree.nodes[p]
        if gone_server:
            remove_server_from_acls(self.tree, gone_server)
        return 200, None


def remove_server_from_acls(tree, server_id):
    for n in tree.nodes.values():
        if not n['acl']:
            continue
        entries = []
        for entry in n['acl'].split('&'):
            c, _, ids = entry.partition('=')
            kept = [i for i in ids.split('+') if i != server_id]
            if kept:
                entries.append(f'{c}={"+".join(kept)}')
        n['acl'] = '&'.join(entries)


# --------------------------------------------------------------------------------------------------
# HTTPS client side


def client_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_verify_locations(ARGS.ca)
    ctx.check_hostname = True
    return ctx


def post(url, body, headers, timeout=10.0):
    u = urllib.parse.urlsplit(url)
    if u.scheme != 'https':
        raise ValueError(f'not https: {url}')
    conn = http.client.HTTPSConnection(u.hostname, u.port or 443, context=client_context(), timeout=timeout)
    try:
        path = (u.path or '/') + (('?' + u.query) if u.query else '')
        h = {'Content-Type': SYNCML_XML, 'Content-Length': str(len(body))}
        h.update(headers)
        conn.request('POST', path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.getheader('Content-Type'), {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------------
# A DM session


class Session:
    def __init__(self, acc, session_id, alert):
        self.acc = acc
        self.session_id = session_id
        self.alert = alert
        self.msg_id = 0
        self.server_msg_ids = set()
        self.server_max = None
        self.added_paths = []
        self._creds = {}
        t = STATE.tree
        self.server_id = t.value(acc + '/ServerID')
        self.url = STATE.addr(acc)
        self.dev_id = STATE.dev_id()

    def cred(self, level):
        """The account's AppAuth of that level; the last one seen once the account is deleted in this session
        (DMS-1 deleting its own account in A.5 / B.8b still gets its Status)."""
        c = STATE.cred(self.acc, level)
        if c is not None:
            self._creds[level] = c
        return self._creds.get(level)

    def set_nonce(self, level, nonce_b64):
        STATE.set_nonce(self.acc, level, nonce_b64)
        if level in self._creds:
            self._creds[level]['nonce'] = base64.b64decode(nonce_b64)

    def added(self, path):
        self.added_paths.append(path)

    # -- building messages

    def header(self, cred_xml=''):
        self.msg_id += 1
        return (f'<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>{esc(self.session_id)}</SessionID>'
                f'<MsgID>{self.msg_id}</MsgID><Target><LocURI>{esc(self.server_target)}</LocURI></Target>'
                f'<Source><LocURI>{esc(self.dev_id)}</LocURI>{self.loc_name}</Source>{cred_xml}'
                f'{meta(MaxMsgSize=ARGS.max_msg_size)}</SyncHdr>')

    @staticmethod
    def document(hdr, items, final):
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<SyncML xmlns="{NS}">{hdr}<SyncBody>{"".join(items)}{"<Final/>" if final else ""}</SyncBody></SyncML>'
                ).encode('utf-8')

    def package1_commands(self):
        t = STATE.tree
        items = ''
        for leaf in ('DevId', 'Man', 'Mod', 'DmV', 'Lang'):
            p = f'./DevInfo/{leaf}'
            if t.exists(p):
                items += (f'<Item><Source><LocURI>{p}</LocURI></Source>{meta(Format="chr")}'
                          f'<Data>{esc(t.value(p) or "")}</Data></Item>')
        return [lambda i: f'<Alert><CmdID>{i}</CmdID><Data>{self.alert}</Data></Alert>',
                lambda i: f'<Replace><CmdID>{i}</CmdID>{items}</Replace>']

    def client_cred(self):
        c = self.cred('CLCRED')
        if c['type'] == 'HMAC':
            return ''
        if c['type'] == 'BASIC':
            data = b64(f'{c["name"]}:{c["secret"]}'.encode())
            return f'<Cred>{meta(Format="b64", Type="syncml:auth-basic")}<Data>{data}</Data></Cred>'
        data = md5_digest(c['name'], c['secret'], c['nonce'])
        return f'<Cred>{meta(Format="b64", Type="syncml:auth-md5")}<Data>{data}</Data></Cred>'

    def send(self, body):
        c = self.cred('CLCRED')
        headers = {}
        if c['type'] == 'HMAC':
            secret = c['secret'] + ('-wrong' if fault('wrong-mac') else '')
            mac = hmac_mac(c['name'], secret, c['nonce'], body)
            headers['x-syncml-hmac'] = f'algorithm=MD5, username="{c["name"]}", mac={mac}'
        log(f'-> {self.server_id} msg {self.msg_id} ({len(body)} bytes)')
        status, ctype, rh, rbody = post(self.url, body, headers)
        if status != 200:
            raise RuntimeError(f'HTTP {status} from {self.url}: {rbody[:200]!r}')
        if not ctype or ctype.split(';')[0].strip().lower() != SYNCML_XML:
            raise RuntimeError(f'answer of type {ctype}')
        return rh, rbody

    # -- verifying the server

    def verify_server(self, msg, headers, body):
        """'ok' (verified credentials), 'none' (nothing to verify) or 'bad'."""
        if fault('accept-any-server-cred'):
            return 'ok' if msg.cred is not None or 'x-syncml-hmac' in headers else 'none'
        s = self.cred('SRVCRED')
        if s is None:
            return 'none'
        if s['type'] == 'HMAC':
            m = HMAC_RE.search(headers.get('x-syncml-hmac', ''))
            if not m:
                return 'bad'
            user, mac = m.group(1), m.group(2)
            good = hmac_mac(s['name'], s['secret'], s['nonce'], body)
            return 'ok' if user == s['name'] and mac == good else 'bad'
        if msg.cred is None:
            return 'none'
        ctype = text(msg.cred, 'Meta', 'Type')
        data = text(msg.cred, 'Data')
        if s['type'] == 'BASIC':
            return 'ok' if ctype == 'syncml:auth-basic' and data == b64(f'{s["name"]}:{s["secret"]}'.encode()) else 'bad'
        return 'ok' if ctype == 'syncml:auth-md5' and data == md5_digest(s['name'], s['secret'], s['nonce']) else 'bad'

    def hand_server_nonce(self):
        """The Status for the server's SyncHdr hands it a new nonce: stored as SRVCRED AAuthData."""
        s = self.cred('SRVCRED')
        if s is None or s['type'] == 'BASIC':
            return ''
        nonce = b64(secrets.token_bytes(16))
        self.set_nonce('SRVCRED', nonce)
        return chal(s['type'], nonce)

    # -- the session

    def run(self):
        self.cred('SRVCRED')
        c = self.cred('CLCRED')
        self.loc_name = f'<LocName>{esc(c["name"])}</LocName>' if c and c['type'] == 'DIGEST' else ''
        self.server_target = self.url
        log(f'session {self.session_id} with {self.server_id} at {self.url} (Alert {self.alert}, '
            f'{c["type"] if c else "?"})')
        pkg1_tries = 0
        srv_challenged = False
        outbox = []          # the rest of our package: callables cmd_id -> xml
        body = None
        last_was_pkg1 = True
        while True:
            if body is None:  # package 1, or package 1 again after a challenge
                pkg1_tries += 1
                hdr = self.header(self.client_cred())
                items = [f(i + 1) for i, f in enumerate(self.package1_commands())]
                body = self.document(hdr, items, True)
                last_was_pkg1 = True
            last_sent_msg = self.msg_id
            rh, rbody = self.send(body)
            body = None
            try:
                msg = Msg(rbody)
            except (ET.ParseError, ValueError) as e:
                log('unparseable answer', e)
                return
            # ---- our credentials: the server's Status for our SyncHdr. Its NextNonce is taken from every
            # server message ("take the NextNonce from every server message", vendor guide section 10).
            hdr_status = None
            for st in kids(msg.body, 'Status'):
                if text(st, 'Cmd') == 'SyncHdr' and text(st, 'MsgRef') == str(last_sent_msg):
                    hdr_status = st
            code = text(hdr_status, 'Data') if hdr_status is not None else None
            next_nonce = text(hdr_status, 'Chal', 'Meta', 'NextNonce') if hdr_status is not None else None
            foreign = (msg.session_id or '').upper() != self.session_id.upper()
            if next_nonce and not fault('stale-nonce') and not (foreign and fault('session-scoped-nonce')):
                with STATE.lock:
                    self.set_nonce('CLCRED', next_nonce)
            # ---- the server's message: header checks ----
            if (msg.session_id or '').upper() != self.session_id.upper():
                log(f'SessionID {msg.session_id} is not ours ({self.session_id}): session ends')
                return
            if msg.msg_id in self.server_msg_ids:
                log(f'MsgID {msg.msg_id} again: session ends')
                return
            self.server_msg_ids.add(msg.msg_id)
            if msg.max_msg_size:
                self.server_max = msg.max_msg_size
            if msg.resp_uri:
                self.url = msg.resp_uri
            if code in ('401', '407'):
                if last_was_pkg1 and pkg1_tries < 2:
                    log(f'server answered {code}: package 1 again')
                    continue
                log(f'server answered {code}: session ends')
                return
            last_was_pkg1 = False
            # ---- the server's credentials ----
            verdict = self.verify_server(msg, rh, rbody)
            s = self.cred('SRVCRED')
            if verdict == 'bad':
                if srv_challenged:
                    log('server credentials do not verify after a challenge: session ends')
                    return
                srv_challenged = True
                log('server credentials do not verify: 401 with a challenge, nothing executed')
                nonce = b64(secrets.token_bytes(16))
                with STATE.lock:
                    self.set_nonce('SRVCRED', nonce)
                hdr = self.header()
                st = status_xml(1, msg.msg_id, 0, 'SyncHdr', 401, target_ref=msg.target, source_ref=msg.source,
                                extra=chal(s['type'], nonce))
                body = self.document(hdr, [st], True)
                continue
            # ---- the server's commands ----
            commands = [cm for cm in msg.commands if local(cm.tag) not in ('Status', 'Results')]
            next_message_alert = any(local(cm.tag) == 'Alert' and text(cm, 'Data') == '1222' for cm in commands)
            if any(local(cm.tag) == 'Alert' and text(cm, 'Data') == '1223' for cm in commands):
                log('server aborted the session (1223)')
                return
            produced = []
            with STATE.lock:
                ex = Executor(self.server_id, self)
                for cm in commands:
                    ex.run(cm, msg.msg_id, produced)
            if msg.final and not commands and not outbox:
                log(f'session {self.session_id} with {self.server_id} ends')
                self.finished()
                return
            outbox.extend(produced)
            # A new nonce for the server only in a message that is sent (binding profile 4.4).
            if verdict == 'ok':
                hdr_code = 200 if s['type'] == 'HMAC' else 212
                with STATE.lock:
                    hdr_extra = self.hand_server_nonce()
            else:
                hdr_code, hdr_extra = 200, ''
            # ---- our next message: the Status for the SyncHdr, then as much of our package as fits ----
            final = msg.final or fault('no-next-message')
            ask_next = not final and not next_message_alert
            hdr = self.header()
            items = [status_xml(1, msg.msg_id, 0, 'SyncHdr', hdr_code, target_ref=msg.target,
                                source_ref=msg.source, extra=hdr_extra)]
            tail = (lambda i: f'<Alert><CmdID>{i}</CmdID><Data>1222</Data></Alert>') if ask_next else None
            limit = self.server_max if (self.server_max and not fault('ignore-max-msg-size')) else None
            cid, sent = 2, 0
            while sent < len(outbox):
                candidate = items + [outbox[sent](cid)]
                trial = self.document(hdr, candidate + ([tail(cid + 1)] if tail else []), True)
                if limit and len(trial) > limit and sent > 0:
                    break
                items = candidate
                cid += 1
                sent += 1
            outbox = outbox[sent:]
            if tail:
                items.append(tail(cid))
            our_final = not ask_next and not outbox
            if outbox:
                log(f'our package does not fit in {limit} bytes: {len(outbox)} items left for the next message')
            body = self.document(hdr, items, our_final)

    def finished(self):
        # Approach B: an Add of <bootConfigRoot>/<X>/<urlLeaf> asks for a bootstrap from that URL.
        for p in self.added_paths:
            parts = p.split('/')
            root = ARGS.boot_config_root
            if p.startswith(root + '/') and parts[-1] == ARGS.boot_config_url_leaf:
                url = STATE.tree.value(p)
                if url:
                    JOBS.put(('bootstrap', url))


def run_session(acc, session_id, alert):
    try:
        Session(acc, session_id, alert).run()
    except Exception as e:  # noqa: BLE001 - a broken session must not stop the client
        log(f'session {session_id} broke off: {type(e).__name__}: {e}')


def bootstrap(url):
    """Approach B: fetch the DM-profile bootstrap, apply its Adds, then open a session with the new server."""
    sid = STATE.next_session_id()
    t = STATE.tree
    items = ''
    for leaf in ('DevId', 'Man', 'Mod', 'DmV', 'Lang'):
        p = f'./DevInfo/{leaf}'
        if t.exists(p):
            items += f'<Item><Source><LocURI>{p}</LocURI></Source>{meta(Format="chr")}<Data>{esc(t.value(p))}</Data></Item>'
    hdr = (f'<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>{sid}</SessionID><MsgID>1</MsgID>'
           f'<Target><LocURI>{esc(url)}</LocURI></Target><Source><LocURI>{esc(STATE.dev_id())}</LocURI></Source>'
           f'{meta(MaxMsgSize=ARGS.max_msg_size)}</SyncHdr>')
    body = Session.document(hdr, [f'<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>',
                                  f'<Replace><CmdID>2</CmdID>{items}</Replace>'], True)
    log(f'bootstrap request to {url}')
    status, ctype, _, rbody = post(url, body, {})
    if status != 200:
        log(f'bootstrap refused: HTTP {status} {rbody[:200]!r}')
        return
    msg = Msg(rbody)
    new_accounts = []
    with STATE.lock:
        tree = STATE.tree

        def apply(cmd):
            for sub in cmd:
                n = local(sub.tag)
                if n in ('Atomic', 'Sequence'):
                    apply(sub)
                elif n == 'Add':
                    cf = text(sub, 'Meta', 'Format')
                    for it in kids(sub, 'Item'):
                        path, _ = split_uri(text(it, 'Target', 'LocURI'))
                        if not path.startswith(ARGS.dmacc_root + '/'):
                            log(f'bootstrap Add outside {ARGS.dmacc_root}: {path} ignored')
                            continue
                        fmt = text(it, 'Meta', 'Format') or cf or 'chr'
                        p = tree.parent(path)
                        missing = []
                        while p not in tree.nodes:
                            missing.append(p)
                            p = tree.parent(p)
                        for m in reversed(missing):
                            tree.nodes[m] = {'format': 'node', 'value': None, 'acl': ''}
                        data = raw_text(it, 'Data') or ''
                        if path in tree.nodes:
                            if fmt != 'node':
                                tree.nodes[path].update(format=fmt, value=data.strip() if fmt == 'bin' else data)
                        else:
                            tree.nodes[path] = {'format': fmt, 'value': None if fmt == 'node' else
                                                (data.strip() if fmt == 'bin' else data), 'acl': ''}
                        x = ARGS.dmacc_root + '/' + path[len(ARGS.dmacc_root) + 1:].split('/')[0]
                        if x not in new_accounts:
                            new_accounts.append(x)
        apply(msg.body)
        # The new <X> gets Get, Replace and Delete for its ServerID (binding profile 4.3).
        for x in new_accounts:
            server_id = tree.value(x + '/ServerID')
            if server_id:
                tree.nodes[x]['acl'] = f'Get={server_id}&Replace={server_id}&Delete={server_id}'
    log(f'bootstrap applied: {new_accounts}')
    for x in new_accounts:
        if STATE.tree.value(x + '/ServerID') and STATE.addr(x):
            run_session(x, STATE.next_session_id(), 1201)


def worker():
    while not STOP.is_set():
        try:
            job = JOBS.get(timeout=0.5)
        except queue.Empty:
            continue
        try:
            if job[0] == 'session':
                run_session(*job[1:])
            elif job[0] == 'bootstrap':
                bootstrap(job[1])
        except Exception as e:  # noqa: BLE001
            log(f'job {job[0]} failed: {type(e).__name__}: {e}')


# --------------------------------------------------------------------------------------------------
# Package #0 (binding profile 4.4)


def take_package0(raw):
    """(HTTP status, reason); on 200 the session is queued."""
    if len(raw) < 24:
        return 400, 'too short'
    digest, trigger = raw[:16], raw[16:]
    session_id = int.from_bytes(raw[21:23], 'big')
    n = raw[23]
    if len(raw) < 24 + n:
        return 400, 'server-identifier cut short'
    try:
        server_id = raw[24:24 + n].decode('utf-8')
    except UnicodeDecodeError:
        return 400, 'server-identifier is not UTF-8'
    with STATE.lock:
        acc = STATE.account_for(server_id)
        if acc is None:
            return 404, f'no account for {server_id}'
        s = STATE.cred(acc, 'SRVCRED')
        if s is None:
            return 404, f'no SRVCRED for {server_id}'
        ok = any(pkg0_digest(server_id, s['secret'], nonce, trigger) == digest for nonce in (s['nonce'], b'\0\0\0\0'))
        if not ok and not fault('accept-bad-pkg0'):
            return 401, 'digest does not verify'
    sid = session_id + 1 if fault('bad-sessionid') else session_id
    log(f'Package #0 from {server_id}, session id {session_id:#06x}')
    JOBS.put(('session', acc, f'{sid:X}', 1200))
    return 200, 'ok'


# --------------------------------------------------------------------------------------------------
# Servers


class TlsServer(ThreadingHTTPServer):
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
            log('TLS handshake refused:', type(e).__name__, e)
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        log('connection error from', client_address, sys.exc_info()[1])


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'independent-client'

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b'', ctype='text/plain'):
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''


class PushHandler(Handler):
    def do_POST(self):
        raw = self.body()
        if urllib.parse.urlsplit(self.path).path != '/push':
            return self.reply(404, b'no such endpoint')
        ctype = (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if ctype != NOTIFICATION_TYPE:
            return self.reply(415, b'expected application/vnd.syncml.notification')
        status, reason = take_package0(raw)
        log(f'push: {status} {reason}')
        self.reply(status, b'' if status == 200 else reason.encode())


class ControlHandler(Handler):
    def do_POST(self):
        raw = self.body()
        path = urllib.parse.urlsplit(self.path).path
        if path == '/control/reset':
            # Wait until queued sessions are over, so the last flow's traffic never sees the new tree.
            STATE.reset()
            log('reset')
            return self.reply(200, b'{}', 'application/json')
        if path == '/control/configure':
            try:
                cfg = json.loads(raw or b'{}')
            except ValueError:
                return self.reply(400, b'not JSON')
            with STATE.lock:
                if cfg.get('dms1Url'):
                    STATE.dms1_url = cfg['dms1Url']
                    STATE.apply_dms1_url()
            log('configured', cfg)
            return self.reply(200, b'{}', 'application/json')
        self.reply(404, b'no such endpoint')

    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path == '/control/tree':
            with STATE.lock:
                snap = STATE.tree.snapshot()
            return self.reply(200, json.dumps(snap, indent=1).encode(), 'application/json')
        self.reply(404, b'no such endpoint')


def server_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(ARGS.cert, ARGS.key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.options |= getattr(ssl, 'OP_NO_RENEGOTIATION', 0)
    return ctx


def main():
    global ARGS, STATE
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--cert', required=True)
    p.add_argument('--key', required=True)
    p.add_argument('--ca', required=True, help='the CA the servers (DMS-1, DMS-2, Bootstrap Server) chain to')
    p.add_argument('--tree', required=True, help='the initial DM tree (TreeSnapshot JSON)')
    p.add_argument('--host', default='127.0.0.1')
    p.add_argument('--port-push', type=int, default=0)
    p.add_argument('--port-control', type=int, default=0)
    p.add_argument('--max-msg-size', type=int, default=2048)
    p.add_argument('--dms1-server-id', default='dms1.example')
    p.add_argument('--dmacc-root', default='./DMAcc')
    p.add_argument('--boot-config-root', default='./BootConfig')
    p.add_argument('--boot-config-url-leaf', default='URL')
    p.add_argument('--fault', choices=FAULTS)
    ARGS = p.parse_args()
    STATE = State()

    push = TlsServer((ARGS.host, ARGS.port_push), PushHandler, server_context())
    ctl = ThreadingHTTPServer(('127.0.0.1', ARGS.port_control), ControlHandler)
    ctl.daemon_threads = True
    for srv in (push, ctl):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    threading.Thread(target=worker, daemon=True).start()

    def stop(signum, frame):
        STOP.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(json.dumps({'push': f'https://{ARGS.host}:{push.server_address[1]}/push',
                      'control': f'http://127.0.0.1:{ctl.server_address[1]}', 'fault': ARGS.fault}), flush=True)
    while not STOP.wait(0.5):
        pass
    os._exit(0)


if __name__ == '__main__':
    main()
