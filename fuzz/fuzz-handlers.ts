/**
 * The handlers a fuzzed server runs: `KitchenSink` (every kind of type on the wire) and
 * `UserService` (the demo's service). Unlike the demo's `UserStore` they keep no state, so a
 * million fuzzed calls cannot grow the server's memory through the application: any growth the
 * harness sees is the runtime's. Every answer is computed from the arguments; some arguments
 * select the other outcomes a server has to encode (declared exceptions, an undeclared error, a
 * call that finishes later).
 */
import type { CallContext } from 'skiff/runtime';
import { HealthStatus, InvalidArgument, NotFound, PermissionDenied, type Money } from '../generated/common/types.js';
import { CodedError, Error_, KitchenError, type Canvas, type Color, type Containers, type Keys, type KitchenSinkHandler, type Map_, type Shape } from '../generated/kitchen_sink.js';
import { User, type CreateUserRequest, type ListUsersRequest, type ListUsersResponse, type UserPatch, type UserServiceHandler } from '../generated/account/user_service.js';

/** Longest a fuzzed call may keep its handler busy (`listUsers` with a `slow:<ms>` cursor), in milliseconds. */
export const MAX_HANDLER_DELAY_MS = 50;

/** Id that makes `getUser` throw an undeclared error (the server answers `INTERNAL` and logs it). */
export const CRASHING_USER_ID = 13n;

/** Resolves after `ms`, or rejects with the signal's reason once the call is given up. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A stateless `KitchenSink`. */
export class FuzzKitchenSink implements KitchenSinkHandler {
  ping(): void {}

  echo(text: string): string {
    return text;
  }

  nothing(): void {}

  everything(aBool: boolean, anI64: bigint, aBinary: Uint8Array, shapes: Shape[], index: Map<string, Keys>, color: Color, price: Money, id: string): Containers {
    if (!aBool) throw new KitchenError({ message: 'aBool was false', code: 418, details: [id] });
    return {
      ints: [Number(BigInt.asIntN(32, anI64)), aBinary.length, color],
      names: new Set([id, price.currency]),
      blobs: [aBinary],
      shapes,
      index,
    };
  }

  reservedNames(let_: number, type_: string, options_: number, ctx_: number, arguments_: number, eval_: number): number {
    // Kept in the i32 range whatever the arguments: the reply must always encode.
    return (let_ ^ type_.length ^ options_ ^ ctx_ ^ arguments_ ^ eval_) | 0;
  }

  fireAndForget(): void {}

  balances(ids: bigint[]): Map<string, Money> {
    if (ids.length === 0) throw new CodedError({ message_: 404, reason: 'no ids' });
    return new Map(ids.slice(0, 16).map((id) => [`acct-${id}`, { amountMinor: id, currency: 'EUR' }]));
  }

  draw(canvas: Canvas): Shape {
    const first = canvas.shapes?.[0];
    if (first === undefined) throw new Error_({ message: 'empty canvas', name_: 'EmptyCanvas', cause_: canvas.background });
    return first;
  }

  constructor_(): Map_ {
    return { key: 'constructor', value: 'fuzz' };
  }
}

/** A stateless `UserService`: users are made up from their ids. */
export class FuzzUserService implements UserServiceHandler {
  ping(): string {
    return 'pong';
  }

  health(): HealthStatus {
    return HealthStatus.SERVING;
  }

  getUser(id: bigint): User {
    if (id < 0n) throw new NotFound({ message: 'no such user', entity: 'user', id: String(id) });
    if (id === CRASHING_USER_ID) throw new Error('a handler bug (on purpose): the server must answer INTERNAL and go on');
    return User.create({ id, email: `user${id}@example.com`, createdAt: 0n });
  }

  createUser(request: CreateUserRequest): User {
    if (!request.email.includes('@')) throw new InvalidArgument({ message: 'email needs an @', field: 'email' });
    return User.create({ id: 1n, email: request.email, role: request.role, createdAt: 0n });
  }

  updateUser(id: bigint, patch: UserPatch, ctx: CallContext): User {
    if (patch.role !== undefined && ctx.metadata['role'] !== 'admin') throw new PermissionDenied({ message: 'only admins change roles' });
    const user = this.getUser(id);
    if (patch.displayName !== undefined) user.displayName = patch.displayName;
    if (patch.tags !== undefined) user.tags = new Set(patch.tags);
    return user;
  }

  async listUsers(request: ListUsersRequest, ctx: CallContext): Promise<ListUsersResponse> {
    const cursor = request.page.cursor ?? '';
    if (cursor.startsWith('slow:')) {
      const ms = Number(cursor.slice(5));
      await delay(Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_HANDLER_DELAY_MS) : 0, ctx.signal);
    }
    const count = Math.min(Math.max(request.page.limit, 0), 3);
    const users = Array.from({ length: count }, (_, i) => this.getUser(BigInt(i + 1)));
    return { users, page: {} };
  }

  deleteUser(id: bigint): void {
    if (id < 0n) throw new NotFound({ message: 'no such user', entity: 'user', id: String(id) });
  }

  recordLogin(): void {}
}
