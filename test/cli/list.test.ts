/** `rpcgen list`: services and signatures as the IDL declares them, run in-process through `runList`. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runList } from '../../cli/list-command.js';
import { recordingIo } from './cli-runner.js';
import { IDL } from './schema-fixture.js';

const tempDir = mkdtempSync(join(tmpdir(), 'rpcgen-list-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

async function list(argv: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = recordingIo();
  const status = await runList(argv, io);
  return { status, stdout: io.out, stderr: io.err };
}

describe('rpcgen list', () => {
  it('prints every service with inherited methods, parameters with ids, throws, oneway and annotations', async () => {
    expect(await list([`${IDL}/kitchen_sink.rpc`])).toEqual({
      status: 0,
      stderr: '',
      stdout: `service Base {
  void ping()
  string echo(1: string text) (idempotent)
}

service KitchenSink extends Base {
  void ping()  // from Base
  string echo(1: string text) (idempotent)  // from Base
  void nothing()
  Containers everything(1: bool aBool, 2: i64 anI64, 3: binary aBinary, 4: list<Shape> shapes, 5: map<string, Keys> index, 6: Color color, 7: types.Money price, 8: uuid id) throws (1: KitchenError kitchen, 2: types.NotFound notFound) (idempotent, timeout.ms = "250")
  i32 reservedNames(1: i32 let, 2: string type, 3: i32 options, 4: i32 ctx, 5: i32 arguments, 6: i32 eval)
  oneway void fireAndForget(1: string event) (note = "best effort")
  map<string, types.Money> balances(1: list<Id> ids) throws (1: CodedError coded)
  ShapeAlias draw(1: Canvas canvas) throws (1: Error error)
  Map constructor()
} (service.note = "annotations on a service")
`,
    });
  });

  it('names types from included files with their prefix, and heads each file when given several', async () => {
    const run = await list(['-I', IDL, `${IDL}/account/user_service.rpc`, `${IDL}/common/types.rpc`]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`// ${IDL}/account/user_service.rpc
service UserService extends types.BaseService {
  string ping() (idempotent, timeout.ms = "100")  // from types.BaseService
  types.HealthStatus health() (idempotent, timeout.ms = "100")  // from types.BaseService
  User getUser(1: types.UserId id) throws (1: types.NotFound notFound) (idempotent, timeout.ms = "200")
  User createUser(1: CreateUserRequest request) throws (1: types.InvalidArgument invalid, 2: EmailTaken emailTaken) (timeout.ms = "1000")
  User updateUser(1: types.UserId id, 2: UserPatch patch) throws (1: types.NotFound notFound, 2: types.InvalidArgument invalid, 3: types.PermissionDenied denied) (timeout.ms = "500")
  ListUsersResponse listUsers(1: ListUsersRequest request) throws (1: types.InvalidArgument invalid) (idempotent, timeout.ms = "500")
  void deleteUser(1: types.UserId id) throws (1: types.NotFound notFound, 2: types.PermissionDenied denied) (idempotent)
  oneway void recordLogin(1: types.UserId id, 2: types.Timestamp at)
}

// ${IDL}/common/types.rpc
service BaseService {
  string ping() (idempotent, timeout.ms = "100")
  HealthStatus health() (idempotent, timeout.ms = "100")
}
`);
  });

  it('prints requiredness and defaults of parameters (as the JSON rpcgen call takes; the checker drops optional on parameters)', async () => {
    const file = join(tempDir, 'defaults.rpc');
    writeFileSync(
      file,
      'struct Page { 1: optional string cursor, 2: i32 limit = 50 }\n' +
        'service S { list<string> find(1: required string query, 2: optional Page page = { "cursor": "c" }, 3: i64 max = 9223372036854775807) }\n',
    );
    expect((await list([file])).stdout).toBe(
      'service S {\n  list<string> find(1: required string query, 2: Page page = {"cursor":"c","limit":50}, 3: i64 max = "9223372036854775807")\n}\n',
    );
  });

  it('says when a file declares no service, and fails on IDL errors like the compiler', async () => {
    expect(await list([`${IDL}/common/types.rpc`, `${IDL}/kitchen_sink.rpc`]).then((r) => [r.status, r.stderr])).toEqual([0, '']);
    const noService = join(tempDir, 'plain.rpc');
    writeFileSync(noService, 'struct A { 1: i32 a }\n');
    expect(await list([noService])).toEqual({ status: 0, stdout: '', stderr: `rpcgen list: ${noService} declares no service\n` });
    const broken = join(tempDir, 'broken.rpc');
    writeFileSync(broken, 'service S { void f(1: Missing m) }\n');
    const run = await list([broken]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/broken\.rpc:1:23: error RPC2\d{3}: .*'Missing'[\s\S]*\n1 error\n$/);
  });

  it('usage errors exit 2', async () => {
    expect(await list([])).toEqual({ status: 2, stdout: '', stderr: 'rpcgen list: no IDL files given (see rpcgen list --help)\n' });
    expect(await list(['missing.rpc'])).toEqual({ status: 2, stdout: '', stderr: "rpcgen list: IDL file 'missing.rpc' does not exist\n" });
    expect((await list(['--bogus'])).status).toBe(2);
    const help = await list(['--help']);
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: rpcgen list [-I DIR]... FILE.rpc...']);
  });
});
