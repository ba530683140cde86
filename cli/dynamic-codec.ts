/**
 * A descriptor-driven codec: writes and reads {@link ThriftValue}s over the runtime's
 * `Writer`/`Reader` by walking the IDL's resolved types at run time, with the same wire rules as
 * generated codecs (see the runtime's `codec.ts`):
 *
 * - `write` writes the fields that are set, in declaration order; it trusts its input (build
 *   values with `json-value.ts`, which checks them against the IDL).
 * - `read` skips unknown fields and fields whose wire type differs from the IDL's, fills in the
 *   defaults of missing fields, and throws `ProtocolError` `MISSING_REQUIRED_FIELD` for a missing
 *   `required` field and `INVALID_VALUE` for a union without exactly one known field.
 *
 * Interpreting types per value is slower than generated straight-line code; that is fine for a
 * command that sends one call.
 */
import {
  missingField,
  ProtocolError,
  readListHeader,
  readMapHeader,
  readSetHeader,
  TType,
  type Codec,
  type Reader,
  type ValueType,
  type Writer,
} from '../runtime/index.js';
import { resolveTypedefs, type FieldDecl, type StructDecl, type Type } from '../compiler/index.js';
import { fillDefaults, map, struct, type ThriftList, type ThriftMap, type ThriftStruct, type ThriftValue } from './thrift-value.js';

/** The fields of a struct-like value and what to call it in errors (`User`, `getUser_args`). */
export interface StructShape {
  /** Named in errors: `User`, `UserService.getUser_args`. */
  readonly name: string;
  /** A union needs exactly one field set; structs and exceptions fill defaults and check required fields. */
  readonly kind: StructDecl['kind'];
  /** In declaration order (the order `write` uses). */
  readonly fields: readonly FieldDecl[];
}

/** The wire type of values of `type`. */
export function wireType(type: Type): ValueType {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'bool':
      return TType.BOOL;
    case 'byte':
    case 'i8':
      return TType.I8;
    case 'i16':
      return TType.I16;
    case 'i32':
    case 'enum':
      return TType.I32;
    case 'i64':
      return TType.I64;
    case 'double':
      return TType.DOUBLE;
    case 'string':
    case 'binary':
      return TType.STRING;
    case 'uuid':
      return TType.UUID;
    case 'list':
      return TType.LIST;
    case 'set':
      return TType.SET;
    case 'map':
      return TType.MAP;
    case 'struct':
      return TType.STRUCT;
  }
}

/** Writes `value`, a value of `type`. */
export function writeValue(w: Writer, type: Type, value: ThriftValue): void {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'bool':
      return w.writeBool(value as boolean);
    case 'byte':
    case 'i8':
      return w.writeI8(value as number);
    case 'i16':
      return w.writeI16(value as number);
    case 'i32':
    case 'enum':
      return w.writeI32(value as number);
    case 'i64':
      return w.writeI64(value as bigint);
    case 'double':
      return w.writeDouble(value as number);
    case 'string':
      return w.writeString(value as string);
    case 'binary':
      return w.writeBinary(value as Uint8Array);
    case 'uuid':
      return w.writeUuid(value as string);
    case 'list':
    case 'set': {
      const items = value as ThriftList;
      const elementType = wireType(t.element);
      if (t.kind === 'list') w.writeListBegin(elementType, items.length);
      else w.writeSetBegin(elementType, items.length);
      for (const item of items) writeValue(w, t.element, item);
      return;
    }
    case 'map': {
      const { entries } = value as ThriftMap;
      w.writeMapBegin(wireType(t.key), wireType(t.value), entries.length);
      for (const [k, v] of entries) {
        writeValue(w, t.key, k);
        writeValue(w, t.value, v);
      }
      return;
    }
    case 'struct':
      return writeStruct(w, t.decl, value as ThriftStruct);
  }
}

/** Reads one value of `type`. */
export function readValue(r: Reader, type: Type): ThriftValue {
  const t = resolveTypedefs(type);
  switch (t.kind) {
    case 'bool':
      return r.readBool();
    case 'byte':
    case 'i8':
      return r.readI8();
    case 'i16':
      return r.readI16();
    case 'i32':
    case 'enum':
      return r.readI32();
    case 'i64':
      return r.readI64();
    case 'double':
      return r.readDouble();
    case 'string':
      return r.readString();
    case 'binary':
      return r.readBinary();
    case 'uuid':
      return r.readUuid();
    case 'list': {
      const size = readListHeader(r, wireType(t.element));
      const items: ThriftValue[] = [];
      for (let i = 0; i < size; i++) items.push(readValue(r, t.element));
      r.readListEnd();
      return items;
    }
    case 'set': {
      const size = readSetHeader(r, wireType(t.element));
      const items: ThriftValue[] = [];
      for (let i = 0; i < size; i++) items.push(readValue(r, t.element));
      r.readSetEnd();
      return items;
    }
    case 'map': {
      const size = readMapHeader(r, wireType(t.key), wireType(t.value));
      const entries: Array<readonly [ThriftValue, ThriftValue]> = [];
      for (let i = 0; i < size; i++) {
        const k = readValue(r, t.key);
        entries.push([k, readValue(r, t.value)]);
      }
      r.readMapEnd();
      return map(entries);
    }
    case 'struct':
      return readStruct(r, t.decl);
  }
}

/** Writes a struct-like value: its set fields in declaration order. */
export function writeStruct(w: Writer, shape: StructShape, value: ThriftStruct): void {
  w.writeStructBegin();
  for (const field of shape.fields) {
    const v = value.fields.get(field.id);
    if (v === undefined) continue;
    const type = wireType(field.type);
    if (type === TType.BOOL) {
      w.writeBoolField(field.id, v as boolean);
    } else {
      w.writeFieldBegin(type, field.id);
      writeValue(w, field.type, v);
    }
  }
  w.writeFieldStop();
  w.writeStructEnd();
}

/** Reads a struct-like value (see the module comment for missing and unknown fields). */
export function readStruct(r: Reader, shape: StructShape): ThriftStruct {
  const byId = new Map(shape.fields.map((f) => [f.id, f]));
  const fields = new Map<number, ThriftValue>();
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    const field = byId.get(r.fieldId);
    if (field === undefined || wireType(field.type) !== t) r.skip(t);
    else fields.set(field.id, readValue(r, field.type));
  }
  r.readStructEnd();
  if (shape.kind === 'union') {
    if (fields.size !== 1) throw new ProtocolError('INVALID_VALUE', `union ${shape.name} has ${fields.size} known fields set, not exactly 1`, r.offset);
    return struct(fields);
  }
  fillDefaults(shape, fields);
  for (const field of shape.fields) {
    if (field.requiredness === 'required' && !fields.has(field.id)) throw missingField(r, `${shape.name}.${field.name}`);
  }
  return struct(fields);
}

/** A runtime `Codec` for values of a struct-like shape. */
export function structCodec(shape: StructShape): Codec<ThriftStruct> {
  return {
    write: (w, value) => writeStruct(w, shape, value),
    read: (r) => readStruct(r, shape),
  };
}
