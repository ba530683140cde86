/**
 * Stock Python Thrift clients (python3-thrift 0.17, code from Debian's `thrift --gen py`) calling
 * a skiff server, over every wire mode a stock client uses: framed Binary, framed Compact and
 * THeader (Binary and Compact subprotocols). python/interop_client.py runs one scenario per test
 * and checks every result against Python's own copy of the samples; our handlers check what
 * arrived against ours (handlers.ts, samples.ts) and record it for the server-side assertions here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'skiff/runtime';
import { collectingLogger, startInteropServer, type Observed } from './handlers.js';
import type { InteropModule } from './interop-api.js';
import { cleanup, generatePython, loadInterop, PythonProcess, requireThrift } from './setup.js';

const MODES = ['framed-binary', 'framed-compact', 'header-binary', 'header-compact', 'buffered-binary', 'buffered-compact'] as const;
type Mode = (typeof MODES)[number];

/** One message sent by the Python client and the reply it got: [name, type, seqid, replyName, replySeqId]. */
type MessagePair = [string, number, number, string | null, number | null];

interface ScenarioResult {
  readonly id?: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly messages?: MessagePair[];
}

const CALL = 1;
const ONEWAY = 4;

let m: InteropModule;
let server: Server;
let port: number;
let observed: Observed;
let python: PythonProcess<ScenarioResult>;
const logged: string[] = [];

beforeAll(async () => {
  requireThrift();
  const pythonDir = generatePython();
  m = await loadInterop();
  ({ server, port, observed } = await startInteropServer(m, collectingLogger(logged)));
  python = new PythonProcess<ScenarioResult>('interop_client.py', [pythonDir]);
});

afterAll(async () => {
  await python?.close();
  await server?.close({ graceMs: 1000 });
  cleanup();
});

/** Runs a scenario; fails with Python's own assertion message and traceback if it failed. */
async function run(scenario: string, mode: Mode, tag = mode): Promise<MessagePair[]> {
  const result = await python.request({ scenario, mode, port, tag });
  if (!result.ok) throw new Error(`Python scenario '${scenario}' (${mode}) failed:\n${result.error}\n${python.stderr}`);
  return result.messages ?? [];
}

describe.each(MODES)('Python client over %s -> skiff server', (mode) => {
  it('Base: a void method and a string method', async () => {
    const messages = await run('base', mode);
    expect(messages).toEqual([
      ['ping', CALL, 0, 'ping', 0],
      ['name', CALL, 0, 'name', 0],
    ]);
  });

  it('every base type, the enum and a typedef, with extreme values (echo)', async () => {
    await run('primitives', mode);
  });

  it('lists, sets, maps, nested containers, containers of structs and unions', async () => {
    await run('containers', mode);
  });

  it('structs, unions, defaults, optional/required fields: both sides check the samples', async () => {
    await run('structs', mode);
  });

  it('declared exceptions arrive as themselves; an undeclared error as INTERNAL_ERROR', async () => {
    const before = logged.length;
    await run('exceptions', mode);
    // The crash was logged by the server, once.
    expect(logged.slice(before)).toEqual([expect.stringContaining('handler of Interop.check failed')]);
    logged.length = before;
  });

  it('oneway calls reach the handler, with no reply', async () => {
    const messages = await run('oneway', mode);
    expect(observed.events.slice(-2)).toEqual([`${mode}-1`, `${mode}-2`]);
    expect(messages.map(([name, type, , replyName]) => [name, type, replyName])).toEqual([
      ['record', ONEWAY, null],
      ['record', ONEWAY, null],
      ['recorded', CALL, 'recorded'],
    ]);
  });

  it('multiplexed service names (TMultiplexedProtocol) reach the right service; replies carry the plain name', async () => {
    const before = observed.calls.length;
    const messages = await run('multiplexed', mode);
    const served = [
      'Interop:name',
      'Other:name',
      'Other:add',
      'Interop:ping',
      'Interop:echoI64',
      'Interop:roundTrip',
      'Interop:fetch',
      'Interop:record',
      'Interop:recorded',
      'Profiles:update',
      // Nope:ping (an unknown service) is refused before any handler runs.
      'Other:name',
    ];
    expect(observed.calls.slice(before)).toEqual(served);
    // As from Thrift's TMultiplexedProcessor, a reply names the plain method (Go's and C++'s
    // clients compare it with the name they called; the npm client dispatches on it). A call to
    // an unknown service is answered under the name it was sent with.
    const plain = (name: string) => name.slice(name.indexOf(':') + 1);
    expect(messages.map(([name, , , replyName]) => [name, replyName])).toEqual(
      [...served.slice(0, -1), 'Nope:ping', 'Other:name'].map((name) => [
        name,
        name === 'Interop:record' ? null : name === 'Nope:ping' ? name : plain(name),
      ]),
    );
  });

  it('an unknown method gets TApplicationException UNKNOWN_METHOD; the connection goes on', async () => {
    const messages = await run('unknown-method', mode);
    expect(messages).toEqual([
      ['newMethod', CALL, 0, 'newMethod', 0],
      ['name', CALL, 0, 'name', 0],
    ]);
  });

  it('replies echo the seqid (0 for every call, as stock clients send, and any other) and the name', async () => {
    const seqIds = [0, 0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 0, 7];
    const messages = await run('seqids', mode);
    expect(messages).toEqual(seqIds.map((seqId) => ['echoI32', CALL, seqId, 'echoI32', seqId]));
  });

  it('an older client (interop_v1.rpc) reads our replies and gets our defaults applied', async () => {
    const before = observed.profiles.length;
    await run('evolution-v1', mode);
    // level was not sent: the server sees its default.
    expect(observed.profiles.slice(before)).toEqual([{ id: 11n, name: 'old', level: 1 }]);
  });

  it('a newer client (interop_v2.rpc): fields we do not know are skipped', async () => {
    const before = observed.profiles.length;
    await run('evolution-v2', mode);
    expect(observed.profiles.slice(before)).toEqual([{ id: 12n, name: 'new', email: 'n@example.com', level: 3 }]);
  });

  it('a request missing a required field gets PROTOCOL_ERROR; the connection goes on', async () => {
    await run('required-missing', mode);
  });

  if (mode.startsWith('header')) {
    it('THeader info headers reach the handler as metadata', async () => {
      await run('headers', mode);
    });
  }
});

