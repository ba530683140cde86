/**
 * The command line of `rpcgen call`, parsed and checked: everything wrong with it is a
 * `UsageError` before anything is loaded or sent.
 */
import { parseArgs } from 'node:util';
import { parseEndpoint, type Framing, type WireProtocol } from '../runtime/index.js';
import { UsageError } from './command-io.js';

/** `rpcgen call --help`. */
export const CALL_USAGE = `Usage: rpcgen call HOST:PORT Service.method ['<json args>'] [options] FILE.rpc...

Calls a method of a live server, with arguments written as JSON and encoded with the IDL (no code
generation), and prints the result as JSON. A declared exception prints as
{"exception": TYPE, "field": NAME, "value": {...}} with exit status 1.

The arguments are a JSON object keyed by parameter name, e.g. '{"id": 42}'; leave them out for a
method without parameters, or write - to read them from standard input.

JSON mapping: i64 is a number or a string of digits (printed as a number when exact, else as a
string); binary is base64; enums are member names (or numbers); sets are arrays; maps with string
keys are objects, other maps arrays of [key, value] pairs; unions are {"field": value}; doubles
also take "NaN", "Infinity" and "-Infinity".

Options:
  -I, --include DIR          search DIR for included files (repeatable)
      --framing MODE         header (default; carries metadata and deadlines), framed or buffered
      --protocol PROTOCOL    compact (default) or binary
      --timeout-ms N         deadline in milliseconds (default: the method's timeout.ms, else 30000)
  -H, --header KEY=VALUE     metadata sent with the call (repeatable; needs --framing header)
      --multiplexed          send Service:method, for servers behind TMultiplexedProcessor
  -h, --help                 print this help

Exit status: 0 success, 1 the call failed (declared exception, error status) or the IDL does not
compile, 2 usage errors (command line, JSON, unknown names, arguments that do not fit the IDL).
`;

const FRAMINGS: readonly Framing[] = ['header', 'framed', 'buffered'];
const PROTOCOLS: readonly WireProtocol[] = ['compact', 'binary'];
const IDL_FILE = /\.(rpc|thrift)$/;

/** A checked `rpcgen call` command line. */
export interface CallOptions {
  readonly host: string;
  readonly port: number;
  /** `Service.method` as typed. */
  readonly method: string;
  /** The JSON arguments as typed, `-` for standard input, or `undefined` when left out. */
  readonly args: string | undefined;
  readonly files: readonly string[];
  readonly includeDirs: readonly string[];
  readonly framing: Framing;
  readonly protocol: WireProtocol;
  /** From `--timeout-ms`; `undefined` when not given. */
  readonly timeoutMs: number | undefined;
  /** From `-H`; `undefined` when none was given. */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly multiplexed: boolean;
}

/**
 * Parses `argv` (the arguments after `call`); `'help'` when help was asked for.
 *
 * @throws UsageError for anything malformed or missing.
 */
export function parseCallOptions(argv: readonly string[]): CallOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        include: { type: 'string', short: 'I', multiple: true },
        framing: { type: 'string' },
        protocol: { type: 'string' },
        'timeout-ms': { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        multiplexed: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // Node's message goes on about '--' after its first sentence; the first says it all.
    const [first] = (error as Error).message.split('. ');
    throw new UsageError(`${first} (see rpcgen call --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [target, method, ...rest] = positionals;
  if (target === undefined || method === undefined) throw new UsageError('expected HOST:PORT and Service.method (see rpcgen call --help)');
  // The JSON may be left out: a first remaining word that names an IDL file is a file.
  const args = rest[0] !== undefined && !IDL_FILE.test(rest[0]) ? rest[0] : undefined;
  const files = args === undefined ? rest : rest.slice(1);
  if (files.length === 0) throw new UsageError('no IDL file given (see rpcgen call --help)');
  const { host, port } = endpoint(target);
  const framing = oneOf(values.framing ?? 'header', FRAMINGS, '--framing');
  const metadata = values.header === undefined ? undefined : headers(values.header);
  if (metadata !== undefined && framing !== 'header') {
    throw new UsageError(`-H needs --framing header: ${framing} transports carry no metadata`);
  }
  return {
    host,
    port,
    method,
    args,
    files,
    includeDirs: values.include ?? [],
    framing,
    protocol: oneOf(values.protocol ?? 'compact', PROTOCOLS, '--protocol'),
    timeoutMs: values['timeout-ms'] === undefined ? undefined : positiveInteger(values['timeout-ms'], '--timeout-ms'),
    metadata,
    multiplexed: values.multiplexed ?? false,
  };
}

function endpoint(text: string): { host: string; port: number } {
  let parsed;
  try {
    parsed = parseEndpoint(text);
  } catch {
    throw new UsageError(`'${text}' is not HOST:PORT`);
  }
  if (parsed.port === 0) throw new UsageError(`'${text}': port 0 cannot be called`);
  return parsed;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be ${allowed.join(', ').replace(/, ([^,]+)$/, ' or $1')}, not '${value}'`);
}

function positiveInteger(text: string, flag: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new UsageError(`${flag} must be a whole number of milliseconds, at least 1, not '${text}'`);
  return n;
}

/** `-H key=value` (or grpcurl's `-H 'key: value'`) as metadata; a key given twice keeps the last value. */
function headers(items: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const item of items) {
    const match = /^([^=:]+)(?:=|:\s*)(.*)$/s.exec(item);
    const key = match?.[1]?.trim();
    if (match === null || key === undefined || key === '') throw new UsageError(`-H '${item}' is not KEY=VALUE`);
    metadata[key] = match[2]!;
  }
  return metadata;
}
