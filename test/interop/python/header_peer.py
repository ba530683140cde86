"""A stock Apache Thrift (python3-thrift 0.17) THeader peer for test/interop/header-python.test.ts.

Usage: /usr/bin/python3 header_peer.py < jobs.json > results.json

Reads one JSON array of jobs from stdin and writes one JSON array of results (same order) to
stdout. Every byte is read or written by Thrift's own THeaderTransport / THeaderProtocol over a
TMemoryBuffer; nothing here parses or builds frames by hand.

  {"op": "read", "hex": STREAM, "count": N, "allow": ["headers", "framed_compact", ...]}
      reads N messages in a row with THeaderProtocol.readMessageBegin; for each:
      -> {"clientType": "headers" | "framed_binary" | ..., "seqId": frame seqid, "protocolId": n,
          "flags": n, "headers": [[key, value], ...] (UTF-8 decoded), "name": ..., "type": ...,
          "messageSeqId": ..., "body": BODY, "left": bytes left in the frame after the message}
      BODY is the message's struct: {"kind": "exception", "message": ..., "type": ...} for an
      EXCEPTION message (decoded by Thrift's TApplicationException.read), else
      {"kind": "struct", "fields": [[id, "string", value] | [id, "i32", value] | [id, "skipped", ttype]]}
  {"op": "frames", "hex": STREAM, "count": N}
      reads N frames with THeaderTransport.readFrame only (for control frames, whose payload is
      empty) -> [{"seqId": ..., "headers": [...], "payload": hex}, ...]
  {"op": "write", "protocol": "compact" | "binary", "headers": [[key, value], ...], "seqId": n,
   "name": ..., "type": n, "body": BODY, "zlib": false}
      one THeader frame (with its length) -> {"hex": ...}
  any failure -> {"error": "..."}
"""

import json
import sys

from thrift.protocol.THeaderProtocol import THeaderProtocol
from thrift.Thrift import TApplicationException, TMessageType, TType
from thrift.transport.THeaderTransport import (
    THeaderClientType,
    THeaderSubprotocolID,
    THeaderTransformID,
    THeaderTransport,
)
from thrift.transport.TTransport import TMemoryBuffer

CLIENT_TYPES = {
    'headers': THeaderClientType.HEADERS,
    'framed_binary': THeaderClientType.FRAMED_BINARY,
    'unframed_binary': THeaderClientType.UNFRAMED_BINARY,
    'framed_compact': THeaderClientType.FRAMED_COMPACT,
    'unframed_compact': THeaderClientType.UNFRAMED_COMPACT,
}
CLIENT_TYPE_NAMES = {value: name for name, value in CLIENT_TYPES.items()}
PROTOCOL_IDS = {'binary': THeaderSubprotocolID.BINARY, 'compact': THeaderSubprotocolID.COMPACT}


def text(value):
    return value.decode('utf-8') if isinstance(value, bytes) else value


def read_struct(protocol):
    fields = []
    protocol.readStructBegin()
    while True:
        _, ttype, fid = protocol.readFieldBegin()
        if ttype == TType.STOP:
            break
        if ttype == TType.STRING:
            fields.append([fid, 'string', text(protocol.readBinary())])
        elif ttype == TType.I32:
            fields.append([fid, 'i32', protocol.readI32()])
        else:
            protocol.skip(ttype)
            fields.append([fid, 'skipped', ttype])
        protocol.readFieldEnd()
    protocol.readStructEnd()
    return {'kind': 'struct', 'fields': fields}


def write_body(protocol, body):
    if body['kind'] == 'exception':
        TApplicationException(body['type'], body['message']).write(protocol)
        return
    protocol.writeStructBegin('S')
    for fid, kind, value in body['fields']:
        if kind == 'string':
            protocol.writeFieldBegin('f', TType.STRING, fid)
            protocol.writeBinary(value.encode('utf-8'))
        else:
            protocol.writeFieldBegin('f', TType.I32, fid)
            protocol.writeI32(value)
        protocol.writeFieldEnd()
    protocol.writeFieldStop()
    protocol.writeStructEnd()


def headers_of(transport):
    return [[text(k), text(v)] for k, v in transport.get_headers().items()]


def read(job):
    allowed = [CLIENT_TYPES[name] for name in job.get('allow', ['headers'])]
    transport = THeaderTransport(TMemoryBuffer(bytes.fromhex(job['hex'])), allowed)
    protocol = THeaderProtocol(transport, allowed)
    out = []
    for _ in range(job['count']):
        name, message_type, message_seq_id = protocol.readMessageBegin()
        if message_type == TMessageType.EXCEPTION:
            exception = TApplicationException()
            exception.read(protocol)
            body = {'kind': 'exception', 'message': exception.message, 'type': exception.type}
        else:
            body = read_struct(protocol)
        protocol.readMessageEnd()
        out.append({
            'clientType': CLIENT_TYPE_NAMES[transport._client_type],
            'seqId': transport.sequence_id,
            'protocolId': transport.protocol_id,
            'flags': transport.flags,
            'headers': headers_of(transport),
            'name': text(name),
            'type': message_type,
            'messageSeqId': message_seq_id,
            'body': body,
            'left': len(transport._read_buffer.read()),
        })
    return {'messages': out}


def frames(job):
    allowed = [THeaderClientType.HEADERS]
    transport = THeaderTransport(TMemoryBuffer(bytes.fromhex(job['hex'])), allowed)
    out = []
    for _ in range(job['count']):
        transport.readFrame(0)
        out.append({'seqId': transport.sequence_id, 'headers': headers_of(transport),
                    'payload': transport._read_buffer.read().hex()})
    return {'frames': out}


def write(job):
    sink = TMemoryBuffer()
    allowed = [THeaderClientType.HEADERS]
    transport = THeaderTransport(sink, allowed, PROTOCOL_IDS[job['protocol']])
    protocol = THeaderProtocol(transport, allowed, PROTOCOL_IDS[job['protocol']])
    for key, value in job['headers']:
        protocol.set_header(key.encode('utf-8'), value.encode('utf-8'))
    if job.get('zlib'):
        protocol.add_transform(THeaderTransformID.ZLIB)
    protocol.writeMessageBegin(job['name'], job['type'], job['seqId'])
    write_body(protocol, job['body'])
    protocol.writeMessageEnd()
    transport.flush()
    return {'hex': sink.getvalue().hex()}


def main():
    operations = {'read': read, 'frames': frames, 'write': write}
    results = []
    for job in json.load(sys.stdin):
        try:
            results.append(operations[job['op']](job))
        except Exception as error:  # every failure goes back to the test as data
            results.append({'error': '%s: %s' % (type(error).__name__, error)})
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()
