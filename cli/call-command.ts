/**
 * `rpcgen call HOST:PORT Service.method '<json args>' FILE.rpc...`: a grpcurl for Thrift. Resolves
 * the IDL, turns the JSON arguments into Thrift values by the method's parameter types, sends the
 * call through the runtime's client (`createChannel`, one attempt, no retries) in the framing and
 * protocol asked for, and prints the result as JSON (mapping in `json-value.ts`).
 *
 * Output: the result on stdout (`null` for `void`, nothing for `oneway`), exit 0; a declared
 * exception on stdout as `{"exception": TYPE, "field": NAME, "value": {...}}`, exit 1; an error
 * status as one line on stderr, `rpcgen call: UNAVAILABLE: cannot connect to ...`, exit 1;
 * usage errors (command line, JSON syntax, unknown names, arguments that do not fit) as one line
 * on stderr, exit 2.
 */
import { createChannel, multiplexed, RpcError, type Channel } from '../runtime/index.js';
import { CALL_USAGE, parseCallOptions, type CallOptions } from './call-options.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CommandIo } from './command-io.js';
import { DeclaredException, dynamicMethod } from './dynamic-method.js';
import { JsonSyntaxError, parseJson, type JsonValue } from './json-parse.js';
import { printJson } from './json-print.js';
import { argsFromJson, structToJson, valueToJson } from './json-value.js';
import { loadIdl } from './load-idl.js';
import { findMethod } from './method-lookup.js';
import { qualifiedName } from './type-name.js';
import type { ThriftStruct } from './thrift-value.js';

/** Deadline of a call when neither `--timeout-ms` nor the method's `timeout.ms` sets one: a silent server must not hang the shell. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Runs `rpcgen call` on `argv` (the arguments after `call`) and resolves to the exit status. */
export async function runCall(argv: readonly string[], io: CommandIo): Promise<number> {
  let options: CallOptions | 'help';
  try {
    options = parseCallOptions(argv);
  } catch (error) {
    return usage(io, error);
  }
  if (options === 'help') {
    io.stdout(CALL_USAGE);
    return EXIT_OK;
  }
  let prepared;
  try {
    const loaded = loadIdl(options.files, options.includeDirs);
    if (!loaded.ok) {
      io.stderr(loaded.report);
      return EXIT_FAILED;
    }
    const found = findMethod(loaded.schema, loaded.inputs, options.method);
    const json = await readArgs(options.args, io);
    const args = toUsage(() => argsFromJson(found.service.name, found.func, json));
    prepared = { ...found, args };
  } catch (error) {
    return usage(io, error);
  }
  const { service, func, args } = prepared;
  const channel = createChannel({
    host: options.host,
    port: options.port,
    framing: options.framing,
    protocol: options.protocol,
    connections: 1,
    retry: false,
    outlierDetection: false,
    defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
  });
  try {
    const target: Channel = options.multiplexed ? multiplexed(channel, service.name) : channel;
    const result = await target.call(dynamicMethod(service.name, func), args, {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
    });
    if (func.oneway) return EXIT_OK;
    const json = func.returnType === undefined || result === undefined ? null : valueToJson(func.returnType, result);
    io.stdout(`${printJson(json)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof DeclaredException) {
      const out = new Map([
        ['exception', qualifiedName(error.decl, service.file)],
        ['field', error.field.name],
        ['value', structToJson(error.decl, error.value)],
      ] as const);
      io.stdout(`${printJson(out)}\n`);
      return EXIT_FAILED;
    }
    if (error instanceof RpcError) {
      io.stderr(`rpcgen call: ${error.code}: ${error.message}\n`);
      return EXIT_FAILED;
    }
    throw error;
  } finally {
    await channel.close();
  }
}

/** The JSON arguments: as typed, read from stdin for `-`, an empty object when left out. */
async function readArgs(text: string | undefined, io: CommandIo): Promise<JsonValue> {
  const source = text === '-' ? await io.readStdin() : (text ?? '{}');
  try {
    return parseJson(source);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new UsageError(`bad JSON arguments${text === '-' ? ' on stdin' : ''}: ${error.message}`);
    throw error;
  }
}

/** Runs `convert`, turning its `RpcError` (a value that does not fit the IDL) into a usage error. */
function toUsage(convert: () => ThriftStruct): ThriftStruct {
  try {
    return convert();
  } catch (error) {
    if (error instanceof RpcError) throw new UsageError(error.message);
    throw error;
  }
}

function usage(io: CommandIo, error: unknown): number {
  if (!(error instanceof UsageError)) throw error;
  io.stderr(`rpcgen call: ${error.message}\n`);
  return EXIT_USAGE;
}
