/**
 * `rpcgen list [-I dir]... file.rpc...`: the services the files declare and every method each one
 * offers (inherited ones included, marked `// from Base`), one signature per line as the IDL
 * declares it:
 *
 * ```
 * service UserService extends types.BaseService {
 *   string ping() (idempotent, timeout.ms = "100")  // from types.BaseService
 *   User getUser(1: types.UserId id) throws (1: types.NotFound notFound) (idempotent, timeout.ms = "200")
 * }
 * ```
 */
import { parseArgs } from 'node:util';
import type { SchemaFile, ServiceDecl } from '../compiler/index.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CommandIo } from './command-io.js';
import { loadIdl } from './load-idl.js';
import { servicesIn } from './method-lookup.js';
import { annotationsText, functionSignature } from './signature.js';
import { qualifiedName } from './type-name.js';

/** `rpcgen list --help`. */
export const LIST_USAGE = `Usage: rpcgen list [-I DIR]... FILE.rpc...

Lists the services the IDL files declare and the methods each one offers (inherited ones
included), with their parameters, return types, declared exceptions and annotations.

Options:
  -I, --include DIR   search DIR for included files (repeatable)
  -h, --help          print this help
`;

/** Runs `rpcgen list` on `argv` (the arguments after `list`) and resolves to the exit status. */
export async function runList(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { include: { type: 'string', short: 'I', multiple: true }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.stderr(`rpcgen list: ${(error as Error).message} (see rpcgen list --help)\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.stdout(LIST_USAGE);
    return EXIT_OK;
  }
  if (parsed.positionals.length === 0) {
    io.stderr('rpcgen list: no IDL files given (see rpcgen list --help)\n');
    return EXIT_USAGE;
  }
  let loaded;
  try {
    loaded = loadIdl(parsed.positionals, parsed.values.include ?? []);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`rpcgen list: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (!loaded.ok) {
    io.stderr(loaded.report);
    return EXIT_FAILED;
  }
  const blocks: string[] = [];
  for (const file of loaded.inputs) {
    const services = servicesIn([file]);
    if (services.length === 0) {
      io.stderr(`rpcgen list: ${file.path} declares no service\n`);
      continue;
    }
    const header = loaded.inputs.length > 1 ? `// ${file.path}\n` : '';
    blocks.push(header + services.map((s) => serviceText(s, file)).join('\n'));
  }
  if (blocks.length > 0) io.stdout(`${blocks.join('\n')}`);
  return EXIT_OK;
}

/** A service block: every function it offers, inherited ones first (base-most first). */
export function serviceText(service: ServiceDecl, from: SchemaFile): string {
  const chain: ServiceDecl[] = [];
  for (let s: ServiceDecl | undefined = service; s !== undefined; s = s.extends) chain.unshift(s);
  const lines = chain.flatMap((owner) =>
    owner.functions.map((f) => `  ${functionSignature(f, from)}${owner === service ? '' : `  // from ${qualifiedName(owner, from)}`}\n`),
  );
  const base = service.extends === undefined ? '' : ` extends ${qualifiedName(service.extends, from)}`;
  return `service ${service.name}${base} {\n${lines.join('')}}${annotationsText(service.annotations)}\n`;
}
