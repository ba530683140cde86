/**
 * Trace context without an OpenTelemetry SDK (the API is a no-op): a `traceparent` received by a
 * handler is forwarded unchanged on the calls it makes, so traces recorded elsewhere stay
 * connected; calls outside any trace carry none. (tracing.test.ts covers spans with an SDK.)
 */
import { afterEach, expect, it } from 'vitest';
import { createChannel, type CallContext } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { UserHandler } from './fixtures/user-handler.js';
import { Cleanup, HOST, openChannel, startServer } from './fixtures/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** ping() on the front server asks the back server what traceparent it received. */
class Relay extends UserHandler {
  constructor(private readonly back: UserServiceClient | undefined) {
    super();
  }

  override async ping(ctx: CallContext): Promise<string> {
    return this.back === undefined ? (ctx.metadata['traceparent'] ?? 'none') : this.back.ping({ timeoutMs: 5000 });
  }
}

async function twoHops(): Promise<UserServiceClient> {
  const back = await startServer(cleanup, (s) => s.addService(UserService, new Relay(undefined)));
  const toBack = createChannel({ host: HOST, port: back.port });
  cleanup.add(() => toBack.close());
  const front = await startServer(cleanup, (s) => s.addService(UserService, new Relay(new UserServiceClient(toBack))));
  return new UserServiceClient(openChannel(cleanup, front.port));
}

it('forwards the received traceparent unchanged across a hop', async () => {
  const users = await twoHops();
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  expect(await users.ping({ timeoutMs: 5000, metadata: { traceparent } })).toBe(traceparent);
});

it('adds no traceparent to calls outside a trace, and ignores a malformed one', async () => {
  const users = await twoHops();
  expect(await users.ping({ timeoutMs: 5000 })).toBe('none');
  expect(await users.ping({ timeoutMs: 5000, metadata: { traceparent: 'garbage' } })).toBe('none');
});
