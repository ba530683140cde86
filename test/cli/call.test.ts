/**
 * `rpcgen call` as a user runs it: the built bin in a child process, calling real skiff servers on
 * 127.0.0.1 (generated KitchenSink and UserService handlers) in each of the three wire modes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Framing, type WireProtocol } from 'skiff/runtime';
import { UserStore } from '../../demo/user-store.js';
import { UserService } from '../../generated/account/user_service.js';
import { KitchenSink } from '../../generated/kitchen_sink.js';
import { Cleanup, startServer, waitFor } from '../rpc/fixtures/harness.js';
import { KitchenSinkStore } from '../rpc/fixtures/kitchen-sink-handler.js';
import { requireBuiltCli, rpcgen } from './cli-runner.js';

const SINK_IDL = 'idl-examples/kitchen_sink.rpc';
const USER_IDL = 'idl-examples/account/user_service.rpc';
const UUID = '6BA7B810-9DAD-11D1-80B4-00C04FD430C8';
const EVERYTHING_ARGS = (aBool: boolean): string =>
  JSON.stringify({
    aBool,
    anI64: '9223372036854775807',
    aBinary: 'AQID',
    shapes: [{ circle: { radius: 1.5 } }],
    index: { k: [1, '9007199254740993'] },
    color: 'BLUE',
    price: { amountMinor: 1250, currency: 'EUR' },
    id: UUID,
  });

const cleanup = new Cleanup();
const sink = new KitchenSinkStore();
let sinkAddress: string;
let userAddress: string;

beforeAll(async () => {
  requireBuiltCli();
  const sinkServer = await startServer(cleanup, (s) => s.addService(KitchenSink, sink), { logger: silentLogger });
  const userServer = await startServer(cleanup, (s) => s.addService(UserService, new UserStore(() => 1_700_000_000_000n)), { logger: silentLogger });
  sinkAddress = `127.0.0.1:${sinkServer.port}`;
  userAddress = `127.0.0.1:${userServer.port}`;
});
afterAll(() => cleanup.run());

describe.each<{ framing: Framing; protocol: WireProtocol }>([
  { framing: 'header', protocol: 'compact' },
  { framing: 'framed', protocol: 'binary' },
  { framing: 'buffered', protocol: 'compact' },
])('over $framing framing, $protocol protocol', ({ framing, protocol }) => {
  const wire = ['--framing', framing, '--protocol', protocol];

  it('encodes JSON arguments of every kind and prints the result as JSON', async () => {
    const run = await rpcgen(['call', sinkAddress, 'KitchenSink.everything', EVERYTHING_ARGS(true), ...wire, SINK_IDL]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const uuid = UUID.toLowerCase();
    expect(JSON.parse(run.stdout)).toEqual({
      // The handler echoes i64 2^63-1 as an i32 (-1), the binary's length and the enum's number.
      ints: [-1, 3, 2],
      names: [uuid, 'EUR'],
      scores: { price: 1250 },
      grid: [['k']],
      colorsById: [['9223372036854775807', ['BLUE']]],
      blobs: ['AQID', 'AwIB'],
      balances: [[uuid, { amountMinor: 1250, currency: 'EUR' }]],
      shapes: [{ circle: { radius: 1.5 } }],
      index: { k: [1, '9007199254740993'] },
    });
  });

  it('prints a declared exception as JSON with its type and exits 1', async () => {
    const run = await rpcgen(['call', sinkAddress, 'KitchenSink.everything', EVERYTHING_ARGS(false), ...wire, SINK_IDL]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `{
  "exception": "KitchenError",
  "field": "kitchen",
  "value": {
    "message": "aBool was false",
    "code": 418,
    "details": [
      "${UUID.toLowerCase()}",
      "9223372036854775807"
    ]
  }
}
`,
    );
  });

  it('reports an error status from the server on one line and exits 1', async () => {
    // The kitchen sink server does not serve UserService.
    const run = await rpcgen(['call', sinkAddress, 'UserService.getUser', '{"id": 1}', ...wire, USER_IDL]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^rpcgen call: UNIMPLEMENTED: .*getUser.*\n$/);
  });
});

describe('rpcgen call', () => {
  it('prints null for void, nothing for oneway, and reads - from stdin', async () => {
    const before = sink.nothings;
    const nothing = await rpcgen(['call', sinkAddress, 'KitchenSink.nothing', SINK_IDL]);
    expect(nothing).toEqual({ status: 0, stdout: 'null\n', stderr: '' });
    expect(sink.nothings).toBe(before + 1);

    const oneway = await rpcgen(['call', sinkAddress, 'KitchenSink.fireAndForget', '-', SINK_IDL], '{"event": "from the shell"}');
    expect(oneway).toEqual({ status: 0, stdout: '', stderr: '' });
    await waitFor(() => sink.events.includes('from the shell'), 'the oneway call to reach the handler');
  });

  it('sends -H metadata, and --multiplexed names', async () => {
    const created = await rpcgen(['call', userAddress, 'UserService.createUser', '{"request": {"email": "ada@example.com", "displayName": "Ada"}}', USER_IDL]);
    expect(created.status).toBe(0);
    const user = JSON.parse(created.stdout) as { id: number; role: string };
    expect(user).toMatchObject({ email: 'ada@example.com', displayName: 'Ada', role: 'VIEWER', status: 'PENDING_VERIFICATION', tags: [], preferences: {} });

    const patch = JSON.stringify({ id: user.id, patch: { role: 'ADMIN' } });
    // The store lets a role change through only with metadata `role: admin`.
    const denied = await rpcgen(['call', userAddress, 'UserService.updateUser', patch, USER_IDL]);
    expect(denied.status).toBe(1);
    expect(JSON.parse(denied.stdout)).toMatchObject({ exception: 'types.PermissionDenied', field: 'denied', value: { permission: 'users.setRole' } });
    const promoted = await rpcgen(['call', userAddress, 'UserService.updateUser', patch, '-H', 'role=admin', '-H', 'x-note: hi', USER_IDL]);
    expect(promoted.stderr).toBe('');
    expect(JSON.parse(promoted.stdout)).toMatchObject({ id: user.id, role: 'ADMIN' });

    const ping = await rpcgen(['call', userAddress, 'UserService/ping', '--multiplexed', '-I', 'idl-examples', USER_IDL]);
    expect(ping).toEqual({ status: 0, stdout: '"pong"\n', stderr: '' });
  });

  it('refuses an unknown method with a suggestion, exit 2, without calling', async () => {
    const run = await rpcgen(['call', sinkAddress, 'KitchenSink.echoo', '{"text": "x"}', SINK_IDL]);
    expect(run).toEqual({
      status: 2,
      stdout: '',
      stderr:
        "rpcgen call: service KitchenSink has no method 'echoo' (did you mean 'echo'?); its methods: ping, echo, nothing, everything, reservedNames, fireAndForget, balances, draw, constructor\n",
    });
  });

  it('refuses an argument that does not fit the IDL with the path of the bad value, exit 2', async () => {
    const args = JSON.parse(EVERYTHING_ARGS(true)) as Record<string, unknown>;
    args['shapes'] = [{ rect: { width: 1, height: 2 } }, { circle: { radius: 'big' } }];
    const run = await rpcgen(['call', sinkAddress, 'KitchenSink.everything', JSON.stringify(args), SINK_IDL]);
    expect(run).toEqual({
      status: 2,
      stdout: '',
      stderr: 'rpcgen call: args.shapes[1].circle.radius: expected double, got string (the only strings a double takes are "NaN", "Infinity" and "-Infinity")\n',
    });
  });
});
