"""Stock Apache Thrift (python3-thrift 0.17) servers of the interop services, for
test/interop/rpc/python-server.test.ts.

Usage: /usr/bin/python3 interop_server.py GEN_DIR   (the output of `thrift --gen py` for
interop.rpc, interop_v1.rpc and interop_v2.rpc)

Starts, on 127.0.0.1 and ports the OS picks, one TThreadedServer per wire mode and service set:

  wire modes   framed-binary   TFramedTransportFactory + TBinaryProtocolAcceleratedFactory
               framed-compact  TFramedTransportFactory + TCompactProtocolFactory
               header          THeaderProtocolFactory (THeader clients only; the reply uses the
                               request's subprotocol, Binary or Compact)
               buffered-binary TBufferedTransportFactory + TBinaryProtocolFactory (unframed)
               buffered-compact TBufferedTransportFactory + TCompactProtocolFactory (unframed)
  services     plain           Interop (plain method names)
               mux             TMultiplexedProcessor: "Interop", "Other", "Profiles"
               v1              Profiles from interop_v1.rpc (older: fewer fields, no `remove`)
               v2              Profiles from interop_v2.rpc (newer: more fields, `newMethod`)

then prints one line {"ready": {"framed-binary": {"plain": port, ...}, ...}} and serves until
stdin closes. The handlers mirror the TypeScript ones in test/interop/rpc/handlers.ts; roundTrip
compares its argument with Python's own copy of the sample (samples.py).
"""

import json
import os
import sys
import threading

sys.path.insert(0, sys.argv[1])

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.protocol.THeaderProtocol import THeaderProtocol, THeaderProtocolFactory  # noqa: E402
from thrift.server import TServer  # noqa: E402
from thrift.TMultiplexedProcessor import TMultiplexedProcessor  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from thrift.transport.THeaderTransport import THeaderClientType  # noqa: E402

import interop_v1.Profiles  # noqa: E402
import interop_v1.ttypes  # noqa: E402
import interop_v2.Profiles  # noqa: E402
import interop_v2.ttypes  # noqa: E402
from interop import Interop, Other, Profiles  # noqa: E402
from interop.ttypes import Everything, Invalid, Mismatch, NotFound, Profile  # noqa: E402
from samples import SAMPLES, describe, difference  # noqa: E402

# The headers of the request being served, per connection thread (THeader servers only).
CURRENT = threading.local()


class HeaderCapturingProtocol(THeaderProtocol):
    def readMessageBegin(self):
        message = super(HeaderCapturingProtocol, self).readMessageBegin()
        CURRENT.headers = dict(self.get_headers())
        return message


class HeaderCapturingFactory(THeaderProtocolFactory):
    def getProtocol(self, trans):
        return HeaderCapturingProtocol(trans, self.allowed_client_types, self.default_protocol)


class InteropHandler(object):
    def __init__(self, name='interop'):
        self._name = name
        self.events = []
        self.lock = threading.Lock()

    def ping(self):
        pass

    def name(self):
        return self._name

    def add(self, a, b):
        return a + b

    def echoBool(self, v):
        return v

    echoByte = echoI16 = echoI32 = echoI64 = echoDouble = echoString = echoBinary = echoBool
    echoEnum = echoTypedef = echoList = echoSet = echoMap = echoNested = echoBool
    echoUnion = echoPrimitives = echoContainers = echoBool

    def roundTrip(self, sample, v):
        diff = difference(v, SAMPLES[sample]())
        if diff is not None:
            raise Mismatch(message='%s: %s' % (sample, diff))
        return v

    def describe(self, a, b, c, d, e):
        return describe(a, b, c, d, e)

    def fetch(self, id):
        if id == 404:
            raise NotFound(message='user 404 not found', id=404)
        if id < 0:
            raise Invalid(message='negative id', code=id, problems=['id < 0'])
        return Everything(id=id)

    def check(self, kind):
        if kind == 'notFound':
            raise NotFound(message='user 404 not found', id=404)
        if kind == 'invalid':
            raise Invalid(message='bad', code=22, problems=['p1', 'p2'])
        if kind == 'crash':
            raise RuntimeError('boom')

    def record(self, event):
        with self.lock:
            self.events.append(event)

    def recorded(self):
        with self.lock:
            events, self.events = self.events, []
        return events

    def header(self, key):
        headers = getattr(CURRENT, 'headers', {})
        return headers.get(key.encode('utf-8'), b'').decode('utf-8')


class ProfilesHandler(object):
    """The current Profiles (interop.rpc)."""

    def update(self, profile):
        return Profile(id=profile.id, name=(profile.name or '') + '!', email=profile.email, level=profile.level)

    def remove(self, id):
        pass


class ProfilesV1Handler(object):
    def update(self, profile):
        return interop_v1.ttypes.Profile(id=profile.id, name=(profile.name or '') + '!')


class ProfilesV2Handler(object):
    def update(self, profile):
        v2 = interop_v2.ttypes
        # Fields 5-20 are unknown to the current version: a current client must skip them.
        return v2.Profile(id=profile.id, name=(profile.name or '') + '!', email=profile.email, level=profile.level,
                          tags=['from-v2'], home=v2.Point(x=7, y=8), places={'k': [v2.Point(x=1, y=1)]},
                          avatar=b'v2 avatar')

    def remove(self, id):
        pass

    def newMethod(self, x):
        return x * 2


def processor(kind):
    if kind == 'plain':
        return Interop.Processor(InteropHandler())
    if kind == 'mux':
        mux = TMultiplexedProcessor()
        mux.registerProcessor('Interop', Interop.Processor(InteropHandler()))
        mux.registerProcessor('Other', Other.Processor(InteropHandler('other')))
        mux.registerProcessor('Profiles', Profiles.Processor(ProfilesHandler()))
        return mux
    if kind == 'v1':
        return interop_v1.Profiles.Processor(ProfilesV1Handler())
    if kind == 'v2':
        return interop_v2.Profiles.Processor(ProfilesV2Handler())
    raise ValueError(kind)


def factories(mode):
    if mode == 'framed-binary':
        return TTransport.TFramedTransportFactory(), TBinaryProtocol.TBinaryProtocolAcceleratedFactory()
    if mode == 'framed-compact':
        return TTransport.TFramedTransportFactory(), TCompactProtocol.TCompactProtocolFactory()
    if mode == 'header':
        return TTransport.TTransportFactoryBase(), HeaderCapturingFactory([THeaderClientType.HEADERS])
    if mode == 'buffered-binary':
        return TTransport.TBufferedTransportFactory(), TBinaryProtocol.TBinaryProtocolFactory()
    if mode == 'buffered-compact':
        return TTransport.TBufferedTransportFactory(), TCompactProtocol.TCompactProtocolFactory()
    raise ValueError(mode)


def start(mode, kind):
    socket = TSocket.TServerSocket(host='127.0.0.1', port=0)
    socket.listen()
    port = socket.handle.getsockname()[1]
    # serve() calls listen() again: keep the socket bound above, whose port we report.
    socket.listen = lambda: None
    transport_factory, protocol_factory = factories(mode)
    server = TServer.TThreadedServer(processor(kind), socket, transport_factory, protocol_factory, daemon=True)
    threading.Thread(target=server.serve, daemon=True).start()
    return port


def main():
    ports = {}
    for mode in ('framed-binary', 'framed-compact', 'header', 'buffered-binary', 'buffered-compact'):
        ports[mode] = {kind: start(mode, kind) for kind in ('plain', 'mux', 'v1', 'v2')}
    sys.stdout.write(json.dumps({'ready': ports}) + '\n')
    sys.stdout.flush()
    sys.stdin.read()
    os._exit(0)


if __name__ == '__main__':
    main()
