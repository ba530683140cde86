/**
 * An in-memory `UserService` (idl-examples/account/user_service.rpc): what the demo serves and
 * what the end-to-end tests call. Plain handler code, as an application would write it.
 */
import { HealthStatus, InvalidArgument, NotFound, PermissionDenied } from '../generated/common/types.js';
import {
  EmailTaken,
  User,
  type CreateUserRequest,
  type ListUsersRequest,
  type ListUsersResponse,
  type UserPatch,
  type UserServiceHandler,
} from '../generated/account/user_service.js';
import type { CallContext } from 'skiff/runtime';

/** A `UserService` handler keeping users in a `Map`. */
export class UserStore implements UserServiceHandler {
  private readonly users = new Map<bigint, User>();
  private readonly byIdempotencyKey = new Map<string, User>();
  private nextId = 1n;
  /** Logins recorded by the oneway `recordLogin`. */
  readonly logins: Array<{ id: bigint; at: bigint }> = [];

  constructor(private readonly now: () => bigint = () => BigInt(Date.now())) {}

  ping(): string {
    return 'pong';
  }

  health(): HealthStatus {
    return HealthStatus.SERVING;
  }

  getUser(id: bigint): User {
    const user = this.users.get(id);
    if (user === undefined) throw new NotFound({ message: `no user ${id}`, entity: 'user', id: String(id) });
    return user;
  }

  createUser(request: CreateUserRequest): User {
    if (!request.email.includes('@')) throw new InvalidArgument({ message: 'email needs an @', field: 'email' });
    if (request.idempotencyKey !== undefined) {
      const earlier = this.byIdempotencyKey.get(request.idempotencyKey);
      if (earlier !== undefined) return earlier;
    }
    const email = request.email.toLowerCase();
    for (const user of this.users.values()) {
      if (user.email === email) throw new EmailTaken({ message: `${email} is taken`, email });
    }
    const user = User.create({
      id: this.nextId++,
      email,
      role: request.role,
      createdAt: this.now(),
      ...(request.displayName === undefined ? {} : { displayName: request.displayName }),
    });
    this.users.set(user.id, user);
    if (request.idempotencyKey !== undefined) this.byIdempotencyKey.set(request.idempotencyKey, user);
    return user;
  }

  updateUser(id: bigint, patch: UserPatch, ctx: CallContext): User {
    const user = this.getUser(id);
    if (patch.role !== undefined && ctx.metadata['role'] !== 'admin') {
      throw new PermissionDenied({ message: 'only admins change roles', permission: 'users.setRole' });
    }
    const updated: User = { ...user };
    if (patch.displayName !== undefined) updated.displayName = patch.displayName;
    if (patch.role !== undefined) updated.role = patch.role;
    if (patch.status !== undefined) updated.status = patch.status;
    if (patch.tags !== undefined) updated.tags = new Set(patch.tags);
    this.users.set(id, updated);
    return updated;
  }

  /**
   * Pages by id. A `cursor` of `"slow:<ms>"` makes the call take that long (or until the caller
   * gives up, which the handler notices through `ctx.signal`): the demo and tests use it to show
   * deadlines and cancellation reaching the server.
   */
  async listUsers(request: ListUsersRequest, ctx: CallContext): Promise<ListUsersResponse> {
    const cursor = request.page.cursor;
    if (cursor?.startsWith('slow:')) {
      await sleep(Number(cursor.slice(5)), ctx.signal);
      return { users: [], page: {} };
    }
    if (request.page.limit < 1) throw new InvalidArgument({ message: 'limit must be positive', field: 'page.limit' });
    const after = cursor === undefined ? 0n : BigInt(cursor);
    const matching = [...this.users.values()]
      .filter((u) => u.id > after && (request.role === undefined || u.role === request.role) && (request.status === undefined || u.status === request.status))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const users = matching.slice(0, request.page.limit);
    const last = users.at(-1);
    return {
      users,
      page: { totalCount: BigInt(matching.length), ...(matching.length > users.length && last ? { nextCursor: String(last.id) } : {}) },
    };
  }

  deleteUser(id: bigint): void {
    this.getUser(id);
    this.users.delete(id);
  }

  recordLogin(id: bigint, at: bigint): void {
    this.logins.push({ id, at });
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
