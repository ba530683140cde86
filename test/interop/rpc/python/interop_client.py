"""A stock Apache Thrift (python3-thrift 0.17) client of the interop services, for
test/interop/rpc/python-client.test.ts.

Usage: /usr/bin/python3 interop_client.py GEN_DIR   (the output of `thrift --gen py` for
interop.rpc, interop_v1.rpc and interop_v2.rpc)

JSON lines on stdin/stdout, one scenario per request, run to the end before the next is read:

  {"id": 1, "scenario": "primitives", "mode": "framed-binary", "port": 9090, "tag": "t"}
    -> {"id": 1, "ok": true, "messages": [[sentName, sentType, sentSeqId, replyName, replySeqId], ...]}
    -> {"id": 1, "ok": false, "error": "AssertionError: ...", "messages": [...]}

Modes are the stock client stacks, built the way Thrift's own tests build them:
  framed-binary    TFramedTransport(TSocket) + TBinaryProtocol
  framed-compact   TFramedTransport(TSocket) + TCompactProtocol
  header-binary    THeaderProtocol(TSocket), THeaderSubprotocolID.BINARY (THeaderTransport inside)
  header-compact   THeaderProtocol(TSocket), THeaderSubprotocolID.COMPACT
  buffered-binary  TBufferedTransport(TSocket) + TBinaryProtocol (unframed)
  buffered-compact TBufferedTransport(TSocket) + TCompactProtocol (unframed)

Every scenario opens one connection and makes its calls on it one at a time, like any stock
client. A `Recording` protocol decorator logs every message header sent and received; after the
scenario, each reply must carry its request's seqid and its method name (the plain name, or the
`Service:method` name that was sent: see "messages" for which). Python's generated client checks
neither, so this script does.
"""

import json
import math
import struct
import sys
import traceback

sys.path.insert(0, sys.argv[1])

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.protocol.THeaderProtocol import THeaderProtocol  # noqa: E402
from thrift.protocol.TMultiplexedProtocol import TMultiplexedProtocol  # noqa: E402
from thrift.protocol.TProtocolDecorator import TProtocolDecorator  # noqa: E402
from thrift.Thrift import TApplicationException, TMessageType  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from thrift.transport.THeaderTransport import THeaderClientType, THeaderSubprotocolID  # noqa: E402

import interop_v1.Profiles  # noqa: E402
import interop_v1.ttypes  # noqa: E402
import interop_v2.Profiles  # noqa: E402
import interop_v2.ttypes  # noqa: E402
from interop import Interop, Other, Profiles  # noqa: E402
from interop.ttypes import Color, Containers, Everything, Invalid, Mismatch, NotFound, Point, Primitives  # noqa: E402
from interop.ttypes import Profile  # noqa: E402
from samples import (ALL_BYTES, ASTRAL, I32_MAX, I32_MIN, I64_MAX, I64_MIN, SAMPLES, SHAPES,  # noqa: E402
                     containers, describe, difference, everything_minimal, primitives)


class Recording(TProtocolDecorator):
    """Logs every message header written and read, as [kind, name, type, seqid]."""

    def __init__(self, protocol, log):
        self.log = log

    def writeMessageBegin(self, name, ttype, seqid):
        self.log.append(['sent', name, ttype, seqid])
        return super(Recording, self).writeMessageBegin(name, ttype, seqid)

    def readMessageBegin(self):
        name, ttype, seqid = super(Recording, self).readMessageBegin()
        self.log.append(['received', name, ttype, seqid])
        return name, ttype, seqid


class Connection(object):
    def __init__(self, mode, port):
        socket = TSocket.TSocket('127.0.0.1', port)
        socket.setTimeout(10000)
        if mode == 'framed-binary':
            self.transport = TTransport.TFramedTransport(socket)
            protocol = TBinaryProtocol.TBinaryProtocol(self.transport)
        elif mode == 'framed-compact':
            self.transport = TTransport.TFramedTransport(socket)
            protocol = TCompactProtocol.TCompactProtocol(self.transport)
        elif mode in ('header-binary', 'header-compact'):
            self.transport = socket
            subprotocol = THeaderSubprotocolID.BINARY if mode == 'header-binary' else THeaderSubprotocolID.COMPACT
            protocol = THeaderProtocol(socket, [THeaderClientType.HEADERS], subprotocol)
        elif mode == 'buffered-binary':
            self.transport = TTransport.TBufferedTransport(socket)
            protocol = TBinaryProtocol.TBinaryProtocol(self.transport)
        elif mode == 'buffered-compact':
            self.transport = TTransport.TBufferedTransport(socket)
            protocol = TCompactProtocol.TCompactProtocol(self.transport)
        else:
            raise ValueError('unknown mode %r' % mode)
        self.mode = mode
        self.log = []
        self.protocol = Recording(protocol, self.log)
        self.transport.open()

    def client(self, service_module, service_name=None):
        protocol = self.protocol if service_name is None else TMultiplexedProtocol(self.protocol, service_name)
        return service_module.Client(protocol)

    def close(self):
        self.transport.close()

    def pairs(self):
        """[sentName, sentType, sentSeqId, replyName, replySeqId] per message sent (no reply: None)."""
        out = []
        for entry in self.log:
            if entry[0] == 'sent':
                out.append([entry[1], entry[2], entry[3], None, None])
            else:
                if not out or out[-1][3] is not None or out[-1][1] == TMessageType.ONEWAY:
                    raise AssertionError('a reply nobody asked for: %r' % (entry,))
                out[-1][3] = entry[1]
                out[-1][4] = entry[3]
        return out


def eq(actual, expected, what=''):
    diff = difference(actual, expected)
    if diff is not None:
        raise AssertionError('%s: %s' % (what or 'value', diff))


def same_double(actual, expected, what):
    if struct.pack('>d', actual) != struct.pack('>d', expected):
        raise AssertionError('%s: got %r, expected %r (bit for bit)' % (what, actual, expected))


def raises(call, exception_class, check=None):
    try:
        call()
    except exception_class as error:
        if check is not None:
            check(error)
        return error
    raise AssertionError('expected %s' % exception_class.__name__)


def application_exception(expected_type):
    def check(error):
        eq(error.type, expected_type, 'TApplicationException type (message %r)' % (error.message,))
    return check


# ---------------------------------------------------------------------------------------------
# Scenarios: each gets a Connection and the request.

def scenario_base(c, request):
    i = c.client(Interop)
    eq(i.ping(), None, 'ping')
    eq(i.name(), 'interop', 'name')


def scenario_primitives(c, request):
    i = c.client(Interop)
    for v in (True, False):
        eq(i.echoBool(v), v, 'echoBool')
    for v in (-128, -1, 0, 127):
        eq(i.echoByte(v), v, 'echoByte')
    for v in (-32768, 0, 32767):
        eq(i.echoI16(v), v, 'echoI16')
    for v in (I32_MIN, -1, 0, I32_MAX):
        eq(i.echoI32(v), v, 'echoI32')
    for v in (I64_MIN, -1, 0, 2 ** 53 + 1, I64_MAX):
        eq(i.echoI64(v), v, 'echoI64')
    for v in (0.0, -0.0, 0.1, -1.5e-300, 5e-324, 1.7976931348623157e308, float('inf'), float('-inf')):
        same_double(i.echoDouble(v), v, 'echoDouble')
    if not math.isnan(i.echoDouble(float('nan'))):
        raise AssertionError('echoDouble(nan) is not nan')
    for v in ('', 'ascii', ASTRAL, 'x' * 100000):
        eq(i.echoString(v), v, 'echoString')
    for v in (b'', ALL_BYTES, bytes(70000)):
        eq(i.echoBinary(v), v, 'echoBinary')
    for v in (Color.RED, Color.GREEN, Color.BLUE, Color.INFRARED):
        eq(i.echoEnum(v), v, 'echoEnum')
    eq(i.echoTypedef(I64_MAX), I64_MAX, 'echoTypedef')


def scenario_containers(c, request):
    i = c.client(Interop)
    for v in ([], [1, -1, I32_MAX, I32_MIN]):
        eq(i.echoList(v), v, 'echoList')
    for v in (set(), {'a', 'b', ASTRAL}):
        eq(i.echoSet(v), v, 'echoSet')
    for v in ({}, {'a': 1, 'max': I64_MAX, 'min': I64_MIN}):
        eq(i.echoMap(v), v, 'echoMap')
    nested = [{'k': {1, 2}}, {}, {'e': set(), 'f': {I32_MIN}}]
    eq(i.echoNested(nested), nested, 'echoNested')
    eq(i.echoContainers(containers()), containers(), 'echoContainers')
    eq(i.echoContainers(Containers()), Containers(), 'echoContainers (no fields)')


def scenario_structs(c, request):
    i = c.client(Interop)
    eq(i.echoPrimitives(primitives()), primitives(), 'echoPrimitives')
    eq(i.echoPrimitives(Primitives()), Primitives(), 'echoPrimitives (no fields)')
    for shape in SHAPES:
        eq(i.echoUnion(shape), shape, 'echoUnion')
    for name, make in sorted(SAMPLES.items()):
        # The server compares the argument with its own copy of the sample (Mismatch if they differ).
        eq(i.roundTrip(name, make()), make(), 'roundTrip %s' % name)
    raises(lambda: i.roundTrip('full', everything_minimal()), Mismatch)
    point = Point(x=-1, y=I32_MAX)
    eq(i.describe(I32_MIN, I64_MAX, ASTRAL, Color.INFRARED, point),
       describe(I32_MIN, I64_MAX, ASTRAL, Color.INFRARED, point), 'describe')


def scenario_exceptions(c, request):
    i = c.client(Interop)
    eq(i.fetch(7), Everything(id=7), 'fetch(7)')

    def not_found(error):
        eq((error.message, error.id), ('user 404 not found', 404), 'NotFound')
    raises(lambda: i.fetch(404), NotFound, not_found)

    def invalid(error):
        eq((error.message, error.code, error.problems), ('negative id', -5, ['id < 0']), 'Invalid')
    raises(lambda: i.fetch(-5), Invalid, invalid)

    eq(i.check('ok'), None, 'check(ok)')
    raises(lambda: i.check('notFound'), NotFound, not_found)

    def invalid_check(error):
        eq((error.message, error.code, error.problems), ('bad', 22, ['p1', 'p2']), 'Invalid')
    raises(lambda: i.check('invalid'), Invalid, invalid_check)
    # An undeclared error: TApplicationException INTERNAL_ERROR, and the connection goes on.
    raises(lambda: i.check('crash'), TApplicationException, application_exception(TApplicationException.INTERNAL_ERROR))
    eq(i.name(), 'interop', 'name after a crash')


def scenario_oneway(c, request):
    i = c.client(Interop)
    events = ['%s-1' % request['tag'], '%s-2' % request['tag']]
    for event in events:
        eq(i.record(event), None, 'record')
    eq(i.recorded(), events, 'recorded')


def scenario_multiplexed(c, request):
    interop = c.client(Interop, 'Interop')
    other = c.client(Other, 'Other')
    profiles = c.client(Profiles, 'Profiles')
    eq(interop.name(), 'interop', 'Interop:name')
    eq(other.name(), 'other', 'Other:name')
    eq(other.add(2, 40), 42, 'Other:add')
    eq(interop.ping(), None, 'Interop:ping')
    eq(interop.echoI64(I64_MIN), I64_MIN, 'Interop:echoI64')
    eq(interop.roundTrip('full', SAMPLES['full']()), SAMPLES['full'](), 'Interop:roundTrip')
    raises(lambda: interop.fetch(404), NotFound)
    interop.record('mux-%s' % request['tag'])
    eq(interop.recorded(), ['mux-%s' % request['tag']], 'Interop:recorded')
    eq(profiles.update(Profile(id=3, name='mux')), Profile(id=3, name='mux!', level=1), 'Profiles:update')
    # A service the server does not have.
    raises(lambda: c.client(Interop, 'Nope').ping(), TApplicationException,
           application_exception(TApplicationException.UNKNOWN_METHOD))
    eq(other.name(), 'other', 'Other:name after an unknown service')


def scenario_unknown_method(c, request):
    newer = c.client(interop_v2.Profiles)
    raises(lambda: newer.newMethod(1), TApplicationException,
           application_exception(TApplicationException.UNKNOWN_METHOD))
    # The connection is still good.
    eq(c.client(Interop).name(), 'interop', 'name after an unknown method')


SEQIDS = [0, 0, 1, -1, I32_MAX, I32_MIN, 0, 7]


def scenario_seqids(c, request):
    i = c.client(Interop)
    for seqid in SEQIDS:
        i._seqid = seqid
        eq(i.echoI32(seqid), seqid, 'echoI32 with seqid %d' % seqid)


def scenario_evolution_v1(c, request):
    older = c.client(interop_v1.Profiles)
    profile = interop_v1.ttypes.Profile
    eq(older.update(profile(id=11, name='old')), profile(id=11, name='old!'), 'v1 update')


def scenario_evolution_v2(c, request):
    newer = c.client(interop_v2.Profiles)
    v2 = interop_v2.ttypes
    sent = v2.Profile(id=12, name='new', email='n@example.com', level=3, tags=['t'], home=v2.Point(x=1, y=2),
                      places={'p': [v2.Point(x=3, y=4)]}, avatar=b'avatar')
    # The server knows fields 1-4 only: it skips 5-20, so they do not come back.
    eq(newer.update(sent), v2.Profile(id=12, name='new!', email='n@example.com', level=3), 'v2 update')
    eq(newer.remove(12), None, 'v2 remove')


def scenario_required_missing(c, request):
    i = c.client(Interop)
    # Python does not validate before writing: the request lacks the required field 1.
    raises(lambda: i.roundTrip('minimal', Everything(id=None)), TApplicationException,
           application_exception(TApplicationException.PROTOCOL_ERROR))
    eq(i.name(), 'interop', 'name after a bad request')


def scenario_headers(c, request):
    i = c.client(Interop)
    c.protocol.set_header(b'x-request-id', b'req-42')
    c.protocol.set_header(b'x-utf8', ASTRAL.replace('\x00', '').encode('utf-8'))
    eq(i.header('x-request-id'), 'req-42', 'header x-request-id')
    # THeaderTransport sends write headers once: the next request has none.
    eq(i.header('x-request-id'), '', 'header on the next call')
    c.protocol.set_header(b'x-utf8', ASTRAL.replace('\x00', '').encode('utf-8'))
    eq(i.header('x-utf8'), ASTRAL.replace('\x00', ''), 'header x-utf8')


SCENARIOS = {
    'base': scenario_base,
    'primitives': scenario_primitives,
    'containers': scenario_containers,
    'structs': scenario_structs,
    'exceptions': scenario_exceptions,
    'oneway': scenario_oneway,
    'multiplexed': scenario_multiplexed,
    'unknown-method': scenario_unknown_method,
    'seqids': scenario_seqids,
    'evolution-v1': scenario_evolution_v1,
    'evolution-v2': scenario_evolution_v2,
    'required-missing': scenario_required_missing,
    'headers': scenario_headers,
}


def check_replies(pairs):
    for name, ttype, seqid, reply_name, reply_seqid in pairs:
        if ttype == TMessageType.ONEWAY:
            continue
        if reply_name is None:
            raise AssertionError('no reply to %s (seqid %d)' % (name, seqid))
        if reply_seqid != seqid:
            raise AssertionError('reply to %s has seqid %d, the request had %d' % (name, reply_seqid, seqid))
        plain = name.split(':', 1)[-1]
        if reply_name not in (name, plain):
            raise AssertionError('reply to %s is named %r' % (name, reply_name))


def run(request):
    connection = None
    try:
        connection = Connection(request['mode'], request['port'])
        SCENARIOS[request['scenario']](connection, request)
        pairs = connection.pairs()
        check_replies(pairs)
        return {'ok': True, 'messages': pairs}
    except Exception as error:
        out = {'ok': False, 'error': '%s: %s\n%s' % (type(error).__name__, error, traceback.format_exc())}
        if connection is not None:
            out['messages'] = [entry for entry in connection.log]
        return out
    finally:
        if connection is not None:
            connection.close()


def main():
    for line in sys.stdin:
        request = json.loads(line)
        response = run(request)
        response['id'] = request['id']
        sys.stdout.write(json.dumps(response) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
