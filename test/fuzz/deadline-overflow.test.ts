/**
 * Regression tests for a bug the fuzzer found: deadlines longer than Node's timer range.
 * `setTimeout` takes at most 2^31 - 1 ms (about 24.8 days); a longer delay is replaced by 1 ms
 * (with a `TimeoutOverflowWarning`). A deadline of 30 days is unusual but valid, and so is a
 * caller's "effectively no deadline" written as a large number: the call must not fail at once.
 *
 * - Server (runtime/server/server-connection.ts, `run`): a `skiff-timeout-ms` header above the
 *   range arms the call's deadline timer with it; the timer fires after 1 ms, aborts the handler
 *   and drops the reply, so a call that takes longer than a millisecond is never answered.
 * - Client (runtime/client/call-connection.ts, `call`; also the connect wait in channel.ts):
 *   `timeoutMs` above the range fails the call with DEADLINE_EXCEEDED after 1 ms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, silentLogger } from 'skiff/runtime';
import { UserService, UserServiceClient } from '../../generated/account/user_service.js';
import { FuzzUserService } from '../../fuzz/fuzz-handlers.js';
import { TType } from '../../runtime/protocol/types.js';
import { buildRequest, Cleanup, openChannel, RawClient, startServer } from '../rpc/fixtures/harness.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** 30 days: beyond `setTimeout`'s 2^31 - 1 ms. */
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

async function serve(): Promise<number> {
  const { port } = await startServer(cleanup, (s) => s.addService(UserService, new FuzzUserService()), { logger: silentLogger });
  return port;
}

describe('deadlines beyond the timer range (2^31 - 1 ms)', () => {
  it('client: a call with timeoutMs of 30 days that takes 20 ms succeeds', async () => {
    const users = new UserServiceClient(openChannel(cleanup, await serve()));
    const response = await users.listUsers({ page: { cursor: 'slow:20', limit: 1 } }, { timeoutMs: THIRTY_DAYS_MS });
    expect(response.users).toHaveLength(1);
  });

  it('server: a request whose skiff-timeout-ms is 30 days, for a call that takes 20 ms, is answered', async () => {
    const client = await RawClient.connect(cleanup, await serve());
    client.send(
      buildRequest({
        framing: 'header',
        protocol: 'compact',
        name: 'listUsers',
        seqId: 7,
        headers: new Map([['skiff-timeout-ms', String(THIRTY_DAYS_MS)]]),
        writeArgs: (w) => {
          // listUsers_args { 1: ListUsersRequest { 1: PageRequest { 1: cursor "slow:20", 2: limit 1 } } }
          w.writeStructBegin();
          w.writeFieldBegin(TType.STRUCT, 1);
          w.writeStructBegin();
          w.writeFieldBegin(TType.STRUCT, 1);
          w.writeStructBegin();
          w.writeFieldBegin(TType.STRING, 1);
          w.writeString('slow:20');
          w.writeFieldBegin(TType.I32, 2);
          w.writeI32(1);
          w.writeFieldStop();
          w.writeStructEnd();
          w.writeFieldStop();
          w.writeStructEnd();
          w.writeFieldStop();
          w.writeStructEnd();
        },
      }),
    );
    const reply = await client.reply(0, 2000);
    expect(reply.message).toMatchObject({ name: 'listUsers', type: MessageType.REPLY, seqId: 7 });
  });
});
