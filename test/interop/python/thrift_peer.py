"""A stock Apache Thrift (python3-thrift 0.17) peer for the interop tests.

Usage: /usr/bin/python3 thrift_peer.py GEN_DIR...   (directories made by `thrift --gen py`)

Speaks JSON lines on stdin/stdout, one request and one response per line, so one process serves a
whole test suite:

  {"id": 1, "op": "encode", "class": "kitchen_sink.ttypes.Rect", "protocol": "compact",
   "value": VALUE, "strict": true, "message": {"name": "m", "type": 1, "seqId": 7}}
    -> {"id": 1, "hex": "..."}       the struct (after a message header when "message" is given);
                                      with "pythonDefaults": true, fields the value leaves out
                                      keep the defaults Thrift's generated __init__ gives them
  {"id": 2, "op": "decode", "class": "...", "protocol": "binary", "hex": "...", "message": true}
    -> {"id": 2, "value": VALUE, "message": {...}}
  any failure -> {"id": n, "error": "..."}

VALUE is self-describing, so the helper needs no schema beyond the generated classes:
  bool -> true/false        integer (i8..i64, enum) -> {"$i": "decimal"}
  double -> {"$d": "16 hex digits of the IEEE 754 bits, big-endian"}
  string -> JSON string     binary -> {"$b": "hex"}
  list -> [...]             set -> {"$set": [...]}      map -> {"$map": [[key, value], ...]}
  struct, union, exception -> {"idlFieldName": VALUE, ...} with absent fields left out
  (or null: with "pythonDefaults", that removes a field Python would otherwise default).

Sets and maps are built in the order given (sets as lists, maps as ordered pairs), because the
generated `write` only iterates them: the bytes then follow the order the TypeScript side used.
The plain (not accelerated) protocol classes are used, so every byte comes from Thrift's own
Python protocol code.
"""

import importlib
import inspect
import json
import keyword
import struct
import sys

from thrift.protocol.TBinaryProtocol import TBinaryProtocol
from thrift.protocol.TCompactProtocol import TCompactProtocol
from thrift.Thrift import TType
from thrift.transport.TTransport import TMemoryBuffer


class OrderedPairs:
    """A map for the generated `write`: keeps the given order and allows unhashable keys."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __len__(self):
        return len(self.pairs)

    def items(self):
        return iter(self.pairs)


def python_name(idl_name):
    # The IDL copy given to Thrift renames fields that are Python keywords (`await` -> `await_`):
    # names never reach the wire, only ids do.
    return idl_name + '_' if keyword.iskeyword(idl_name) else idl_name


def idl_name(python_attribute):
    base = python_attribute[:-1]
    return base if python_attribute.endswith('_') and keyword.iskeyword(base) else python_attribute


def find_class(dotted):
    module, _, name = dotted.rpartition('.')
    return getattr(importlib.import_module(module), name)


def build_struct(cls, value, keep_defaults=False):
    spec_by_name = {entry[2]: entry for entry in (cls.thrift_spec or ()) if entry}
    # Unless asked to keep them, every field starts out None, so Python's own defaults never add
    # fields the value lacks.
    parameters = [
        p.name for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind == p.POSITIONAL_OR_KEYWORD and p.name != 'self'
    ]
    fields = {} if keep_defaults else {name: None for name in parameters}
    for name, field_value in value.items():
        attribute = python_name(name)
        if attribute not in parameters:
            raise ValueError('%s has no field %r' % (cls.__name__, name))
        entry = spec_by_name.get(attribute)
        fields[attribute] = build(field_value, entry[1], entry[3]) if entry else build(field_value, None, None)
    return cls(**fields)


def build(value, ttype, type_args):
    """Builds the Python value for a field or element of Thrift type `ttype` (spec arguments `type_args`)."""
    if value is None or isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, list):
        element_type, element_args = (type_args[0], type_args[1]) if type_args else (None, None)
        return [build(item, element_type, element_args) for item in value]
    if '$i' in value:
        return int(value['$i'])
    if '$d' in value:
        return struct.unpack('>d', bytes.fromhex(value['$d']))[0]
    if '$b' in value:
        return bytes.fromhex(value['$b'])
    if '$set' in value:
        element_type, element_args = (type_args[0], type_args[1]) if type_args else (None, None)
        return [build(item, element_type, element_args) for item in value['$set']]
    if '$map' in value:
        key_type, key_args, value_type, value_args = type_args[:4] if type_args else (None, None, None, None)
        return OrderedPairs([(build(k, key_type, key_args), build(v, value_type, value_args)) for k, v in value['$map']])
    if ttype != TType.STRUCT:
        raise ValueError('a struct value where the schema has type %r' % (ttype,))
    return build_struct(type_args[0], value)


def dump(value):
    """The self-describing JSON form of a value read by the generated code."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {'$i': str(value)}
    if isinstance(value, float):
        return {'$d': struct.pack('>d', value).hex()}
    if isinstance(value, (bytes, bytearray)):
        return {'$b': bytes(value).hex()}
    if isinstance(value, (list, tuple)):
        return [dump(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {'$set': [dump(item) for item in value]}
    if isinstance(value, dict):
        return {'$map': [[dump(k), dump(v)] for k, v in value.items()]}
    if hasattr(value, 'thrift_spec'):
        return {idl_name(name): dump(v) for name, v in vars(value).items() if v is not None}
    raise ValueError('cannot describe a %s' % type(value).__name__)


def protocol_for(request, buffer):
    if request['protocol'] == 'compact':
        return TCompactProtocol(buffer)
    if request['protocol'] == 'binary':
        return TBinaryProtocol(buffer, strictRead=False, strictWrite=request.get('strict', True))
    raise ValueError('unknown protocol %r' % request['protocol'])


def encode(request):
    cls = find_class(request['class'])
    value = build_struct(cls, request['value'], request.get('pythonDefaults', False))
    buffer = TMemoryBuffer()
    protocol = protocol_for(request, buffer)
    message = request.get('message')
    if message:
        protocol.writeMessageBegin(message['name'], message['type'], message['seqId'])
    value.write(protocol)
    if message:
        protocol.writeMessageEnd()
    return {'hex': buffer.getvalue().hex()}


def decode(request):
    cls = find_class(request['class'])
    buffer = TMemoryBuffer(bytes.fromhex(request['hex']))
    protocol = protocol_for(request, buffer)
    response = {}
    if request.get('message'):
        name, message_type, seq_id = protocol.readMessageBegin()
        # The non-strict Binary path of Thrift's Python library returns the name undecoded.
        if isinstance(name, bytes):
            name = name.decode('utf-8')
        response['message'] = {'name': name, 'type': message_type, 'seqId': seq_id}
    if isinstance(cls.__dict__.get('read'), classmethod):
        value = cls.read(protocol)  # exceptions are immutable: their read() builds the instance
    else:
        value = cls()
        value.read(protocol)
    if request.get('message'):
        protocol.readMessageEnd()
    left = len(buffer.getvalue()) - buffer._buffer.tell()
    if left:
        raise ValueError('%d bytes left after the struct' % left)
    response['value'] = dump(value)
    return response


def main():
    sys.path[:0] = sys.argv[1:]
    operations = {'encode': encode, 'decode': decode}
    for line in sys.stdin:
        request = json.loads(line)
        try:
            response = json.dumps(dict(operations[request['op']](request), id=request.get('id')))
        except Exception as error:  # every failure goes back to the test as data
            response = json.dumps({'error': '%s: %s' % (type(error).__name__, error), 'id': request.get('id')})
        sys.stdout.write(response + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
