/**
 * Calls to a server that hosts several services behind Apache Thrift's `TMultiplexedProcessor`,
 * which routes by a `Service:method` message name.
 */
import type { CallOptions, Channel, MethodDescriptor } from '../service.js';

/**
 * A channel that sends every call as `serviceName:method` (Thrift's `TMultiplexedProtocol`
 * naming) over `channel`. skiff servers accept both forms; stock multiplexed Thrift servers need
 * this one.
 *
 * ```ts
 * const users = new UserServiceClient(multiplexed(channel, 'UserService'));
 * ```
 */
export function multiplexed(channel: Channel, serviceName: string): Channel {
  const renamed = new WeakMap<object, MethodDescriptor<unknown, unknown>>();
  return {
    call<Args, Result>(method: MethodDescriptor<Args, Result>, args: NoInfer<Args>, options?: CallOptions): Promise<Result> {
      let qualified = renamed.get(method) as MethodDescriptor<Args, Result> | undefined;
      if (qualified === undefined) {
        qualified = { ...method, name: `${serviceName}:${method.name}` };
        renamed.set(method, qualified as MethodDescriptor<unknown, unknown>);
      }
      return channel.call(qualified, args, options);
    },
  };
}
