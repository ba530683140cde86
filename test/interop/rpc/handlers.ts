/**
 * Our server's handlers for the interop services: they behave like python/interop_server.py's,
 * and record what they received so tests can check it on the server side.
 */
import { createServer, silentLogger, type Logger, type Server } from 'skiff/runtime';
import type { Color, Everything, InteropHandler, InteropModule, OtherHandler, Point, Profile, ProfilesHandler } from './interop-api.js';
import { describeArgs, difference, everythingSamples } from './samples.js';

/** What the handlers saw. */
export interface Observed {
  /** Every oneway `record` event, never cleared (`recorded()` clears its own list). */
  readonly events: string[];
  /** Every profile `update` received, as decoded. */
  readonly profiles: Profile[];
  /** Every wire-visible call: the service and method that served it. */
  readonly calls: string[];
}

export function interopHandler(m: InteropModule, observed: Observed, name = 'interop'): InteropHandler & OtherHandler {
  const samples = everythingSamples(m);
  let pending: string[] = [];
  const echo = <T>(v: T): T => v;
  return {
    ping: () => undefined,
    name: () => name,
    add: (a: number, b: number) => a + b,
    echoBool: echo,
    echoByte: echo,
    echoI16: echo,
    echoI32: echo,
    echoI64: echo,
    echoDouble: echo,
    echoString: echo,
    echoBinary: echo,
    echoEnum: echo,
    echoTypedef: echo,
    echoList: echo,
    echoSet: echo,
    echoMap: echo,
    echoNested: echo,
    echoUnion: echo,
    echoPrimitives: echo,
    echoContainers: echo,
    roundTrip(sample: string, v: Everything): Everything {
      const expected = samples[sample as keyof typeof samples];
      if (expected === undefined) throw new m.Mismatch({ message: `no sample '${sample}'` });
      const diff = difference(v, expected);
      if (diff !== undefined) throw new m.Mismatch({ message: `${sample}: ${diff}` });
      return v;
    },
    describe: (a: number, b: bigint, c: string, d: Color, e: Point) => describeArgs(a, b, c, d, e),
    fetch(id: bigint): Everything {
      if (id === 404n) throw new m.NotFound({ message: 'user 404 not found', id: 404n });
      if (id < 0n) throw new m.Invalid({ message: 'negative id', code: Number(id), problems: ['id < 0'] });
      return m.Everything.create({ id });
    },
    check(kind: string): void {
      if (kind === 'notFound') throw new m.NotFound({ message: 'user 404 not found', id: 404n });
      if (kind === 'invalid') throw new m.Invalid({ message: 'bad', code: 22, problems: ['p1', 'p2'] });
      if (kind === 'crash') throw new Error('boom');
    },
    record(event: string): void {
      observed.events.push(event);
      pending.push(event);
    },
    recorded(): string[] {
      const out = pending;
      pending = [];
      return out;
    },
    header: (key, ctx) => ctx.metadata[key] ?? '',
  };
}

export function profilesHandler(observed: Observed): ProfilesHandler {
  return {
    update(profile: Profile): Profile {
      observed.profiles.push(profile);
      return { ...profile, name: `${profile.name ?? ''}!` };
    },
    remove: () => undefined,
  };
}

/** A logger that keeps error and warning messages (an unexpected one fails the test that made it). */
export function collectingLogger(into: string[]): Logger {
  return {
    ...silentLogger,
    error: (_fields, message) => into.push(`error: ${message}`),
    warn: (_fields, message) => into.push(`warn: ${message}`),
  };
}

/**
 * A skiff server with Interop, Other and Profiles registered (in that order, so the plain names
 * `ping` and `name` go to Interop), listening on 127.0.0.1 and a free port.
 */
export async function startInteropServer(
  m: InteropModule,
  logger: Logger = silentLogger,
): Promise<{ server: Server; port: number; observed: Observed }> {
  const observed: Observed = { events: [], profiles: [], calls: [] };
  const server = createServer({
    logger,
    interceptors: [
      (next) => (call) => {
        observed.calls.push(`${call.service}:${call.method.name}`);
        return next(call);
      },
    ],
  })
    .addService(m.Interop, interopHandler(m, observed))
    .addService(m.Other, interopHandler(m, observed, 'other'))
    .addService(m.Profiles, profilesHandler(observed));
  const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, port, observed };
}
