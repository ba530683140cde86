/**
 * Finds the service and function a `Service.method` name means, with suggestions for typos.
 * A service is named by its IDL name, or by `prefix.Service` (the include prefix of its file,
 * `types.BaseService`) when two files declare services of the same name. `Service/method` works
 * too (grpcurl's form).
 */
import { allFunctions, type FunctionDecl, type Schema, type SchemaFile, type ServiceDecl } from '../compiler/index.js';
import { UsageError } from './command-io.js';
import { didYouMean } from './suggest.js';
import { includePrefix } from './type-name.js';

/** A function of a service (possibly inherited from a base service). */
export interface FoundMethod {
  readonly service: ServiceDecl;
  readonly func: FunctionDecl;
}

/** Every service declared in `files`, in order. */
export function servicesIn(files: readonly SchemaFile[]): ServiceDecl[] {
  return files.flatMap((f) => f.declarations.filter((d): d is ServiceDecl => d.kind === 'service'));
}

/**
 * The function `name` (`Service.method`) refers to, among every service of `schema` (included
 * files too). `inputs` (the files named on the command line) scope the list of services an
 * error message offers.
 *
 * @throws UsageError for a malformed name, an unknown or ambiguous service, or an unknown method.
 */
export function findMethod(schema: Schema, inputs: readonly SchemaFile[], name: string): FoundMethod {
  const slash = name.lastIndexOf('/');
  const split = slash >= 0 ? slash : name.lastIndexOf('.');
  if (split <= 0 || split === name.length - 1) throw new UsageError(`'${name}' is not Service.method`);
  const serviceName = name.slice(0, split);
  const methodName = name.slice(split + 1);
  const service = findService(schema, inputs, serviceName);
  const functions = allFunctions(service);
  const func = functions.find((f) => f.name === methodName);
  if (func === undefined) {
    const names = functions.map((f) => f.name);
    throw new UsageError(`service ${service.name} has no method '${methodName}'${didYouMean(methodName, names)}; its methods: ${names.join(', ')}`);
  }
  return { service, func };
}

function findService(schema: Schema, inputs: readonly SchemaFile[], name: string): ServiceDecl {
  const all = servicesIn(schema.files);
  const qualified = (s: ServiceDecl): string => `${includePrefix(s.file)}.${s.name}`;
  const matches = all.filter((s) => s.name === name || qualified(s) === name);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new UsageError(`service name '${name}' is ambiguous: write one of ${matches.map(qualified).join(', ')}`);
  }
  const offered = servicesIn(inputs).map((s) => s.name);
  const candidates = [...all.map((s) => s.name), ...all.map(qualified)];
  const listed = offered.length === 0 ? 'the IDL files given declare no service' : `services: ${offered.join(', ')}`;
  throw new UsageError(`unknown service '${name}'${didYouMean(name, candidates)}; ${listed}`);
}
