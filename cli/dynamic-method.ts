/**
 * Runtime `MethodDescriptor`s built from an IDL function at run time, so a call made from the
 * shell goes through the real client (`createChannel`): the `<method>_args` struct is the
 * function's parameters, the `<method>_result` struct is field 0 (`success`, absent for `void`)
 * plus one field per declared exception.
 */
import { ErrorCode, RpcError, TType, missingField, type Codec, type MethodDescriptor, type MethodResult } from '../runtime/index.js';
import { resolveTypedefs, type FieldDecl, type FunctionDecl, type StructDecl } from '../compiler/index.js';
import { readStruct, readValue, structCodec, wireType, writeStruct, writeValue, type StructShape } from './dynamic-codec.js';
import type { ThriftStruct, ThriftValue } from './thrift-value.js';

/** A declared exception the server answered with: which `throws` field, of which type, with what value. */
export class DeclaredException extends Error {
  /**
   * @param field - the `throws` clause's field (its name and id).
   * @param decl - the exception's declaration.
   * @param value - the exception's fields.
   */
  constructor(
    readonly field: FieldDecl,
    readonly decl: StructDecl,
    readonly value: ThriftStruct,
  ) {
    super(`declared exception ${decl.name} (throws field '${field.name}')`);
  }

  override get name(): string {
    return 'DeclaredException';
  }
}

/** A dynamic method descriptor: arguments and return values are {@link ThriftValue}s. */
export type DynamicMethod = MethodDescriptor<ThriftStruct, ThriftValue | undefined>;

/**
 * The descriptor of `func` as a member of service `serviceName` (named in errors). It can send
 * calls, not serve them: `invoke` throws `UNIMPLEMENTED`.
 */
export function dynamicMethod(serviceName: string, func: FunctionDecl): DynamicMethod {
  const args: StructShape = { name: `${serviceName}.${func.name}_args`, kind: 'struct', fields: func.params };
  const declaresError = (error: unknown): error is Error => error instanceof DeclaredException;
  return {
    name: func.name,
    oneway: func.oneway,
    idempotent: func.idempotent,
    ...(func.timeoutMs === undefined ? {} : { timeoutMs: func.timeoutMs }),
    args: structCodec(args),
    result: resultCodec(serviceName, func),
    declares: declaresError,
    invoke: () => {
      throw new RpcError(ErrorCode.UNIMPLEMENTED, `${serviceName}.${func.name}: a dynamic descriptor only sends calls`);
    },
  };
}

/** The `<method>_result` codec: success in field 0, a declared exception in its `throws` field. */
function resultCodec(serviceName: string, func: FunctionDecl): Codec<MethodResult<ThriftValue | undefined, Error>> {
  const what = `${serviceName}.${func.name}_result`;
  const exceptions = new Map(func.throws.map((f) => [f.id, { field: f, shape: exceptionShape(f) }]));
  const returnType = func.returnType;
  return {
    write(w, result) {
      w.writeStructBegin();
      if (result.kind === 'success') {
        if (returnType !== undefined && result.value !== undefined) {
          const type = wireType(returnType);
          if (type === TType.BOOL) w.writeBoolField(0, result.value as boolean);
          else {
            w.writeFieldBegin(type, 0);
            writeValue(w, returnType, result.value);
          }
        }
      } else {
        const error = result.error;
        if (!(error instanceof DeclaredException)) throw new RpcError(ErrorCode.INVALID_ARGUMENT, `${what}: not a declared exception`);
        w.writeFieldBegin(TType.STRUCT, error.field.id);
        writeStruct(w, error.decl, error.value);
      }
      w.writeFieldStop();
      w.writeStructEnd();
    },
    read(r) {
      let result: MethodResult<ThriftValue | undefined, Error> | undefined;
      r.readStructBegin();
      for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
        const id = r.fieldId;
        if (id === 0 && returnType !== undefined && t === wireType(returnType)) {
          result = { kind: 'success', value: readValue(r, returnType) };
          continue;
        }
        const thrown = exceptions.get(id);
        if (thrown !== undefined && t === TType.STRUCT) {
          result = { kind: 'exception', error: new DeclaredException(thrown.field, thrown.shape, readStruct(r, thrown.shape)) };
          continue;
        }
        r.skip(t);
      }
      r.readStructEnd();
      if (result !== undefined) return result;
      if (returnType === undefined) return { kind: 'success', value: undefined };
      throw missingField(r, `${what}.success`);
    },
  };
}

/** The declaration of a `throws` field's exception (the checker guarantees it is one). */
function exceptionShape(field: FieldDecl): StructDecl {
  const type = resolveTypedefs(field.type);
  if (type.kind !== 'struct') throw new RpcError(ErrorCode.INTERNAL, `throws field '${field.name}' is not an exception`);
  return type.decl;
}
