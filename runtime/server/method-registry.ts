/**
 * Which handler serves a method name from the wire. A method is reachable by its IDL name
 * (`getUser`, what stock Thrift clients send) and by Thrift's multiplexed form
 * (`UserService:getUser`, what `TMultiplexedProtocol` clients send). When two registered services
 * share an unqualified name, the first registered keeps it; the qualified name always works.
 */
import { ErrorCode, RpcError } from '../errors.js';
import type { MethodDescriptor, ServiceDescriptor } from '../service.js';

/** A method bound to the handler that implements it. */
export interface BoundMethod {
  readonly service: string;
  readonly method: MethodDescriptor<unknown, unknown, unknown>;
  readonly handler: unknown;
  /** Served on the server's worker-thread pool rather than on the event loop. */
  readonly offloaded: boolean;
}

/** Decides which methods run on a worker-thread pool. */
export type OffloadRule = (service: string, method: MethodDescriptor<unknown, unknown, unknown>) => boolean;

/** Method lookup for a server (see the module comment). */
export class MethodRegistry {
  private readonly byName = new Map<string, BoundMethod>();
  private readonly services = new Set<string>();
  private readonly qualified: string[] = [];

  /** @param offload - which methods run on the worker-thread pool; default none. */
  constructor(private readonly offload: OffloadRule = () => false) {}

  /** Adds every method of `service` (inherited ones included), served by `handler`. */
  add<Handler>(service: ServiceDescriptor<Handler>, handler: Handler): void {
    if (this.services.has(service.name)) {
      throw new RpcError(ErrorCode.ALREADY_EXISTS, `service ${service.name} is already registered`);
    }
    this.services.add(service.name);
    for (const method of Object.values(service.methods)) {
      const descriptor = method as MethodDescriptor<unknown, unknown, unknown>;
      const bound: BoundMethod = { service: service.name, method: descriptor, handler, offloaded: this.offload(service.name, descriptor) };
      const qualified = `${service.name}:${method.name}`;
      this.byName.set(qualified, bound);
      this.qualified.push(qualified);
      if (!this.byName.has(method.name)) this.byName.set(method.name, bound);
    }
  }

  /** The method a wire name refers to, or `undefined`. */
  lookup(name: string): BoundMethod | undefined {
    return this.byName.get(name);
  }

  /** Every method as `Service:method`, in registration order. */
  get qualifiedNames(): readonly string[] {
    return this.qualified;
  }

  /** Every registered method, once each. */
  *methods(): IterableIterator<BoundMethod> {
    for (const name of this.qualified) yield this.byName.get(name) as BoundMethod;
  }

  /** Names of the registered services, in registration order. */
  get serviceNames(): readonly string[] {
    return [...this.services];
  }
}
