/**
 * Random valid calls of the fuzzed services: a method of `KitchenSink` or `UserService` with
 * random arguments, written by the generated codecs. They are what the mutators start from, and
 * sent unmutated they must each get a reply.
 */
import { MessageType, type Codec } from 'skiff/runtime';
import type { Money } from '../generated/common/types.js';
import { AccountStatus, Role, UserService, type UserPatch } from '../generated/account/user_service.js';
import { Color, KitchenSink, type Shape } from '../generated/kitchen_sink.js';
import { SkiffHeader } from '../runtime/protocol/skiff-headers.js';
import { CRASHING_USER_ID, MAX_HANDLER_DELAY_MS } from './fuzz-handlers.js';
import type { Dice } from './random.js';
import type { Message } from './wire.js';

/** A method the fuzzer calls, with a generator of valid arguments. */
export interface FuzzMethod {
  readonly service: string;
  readonly name: string;
  readonly oneway: boolean;
  /** Random valid arguments, already bound to the method's args codec. */
  readonly writeArgs: (dice: Dice) => Message['writeArgs'];
}

/** A {@link FuzzMethod} for `descriptor` of `service`, its arguments drawn by `args`. */
function method<A>(service: string, descriptor: { readonly name: string; readonly oneway: boolean; readonly args: Codec<A> }, args: (dice: Dice) => A): FuzzMethod {
  return {
    service,
    name: descriptor.name,
    oneway: descriptor.oneway,
    writeArgs: (dice) => {
      const value = args(dice);
      return (w) => descriptor.args.write(w, value);
    },
  };
}

const SAMPLE_TEXT = ['', 'a', 'hello', 'grüße, 世界', '🙂', 'x'.repeat(300), '\u0000\u007f', 'slow:5', 'user@example.com'];

/** A random string: short and ASCII mostly, sometimes Unicode or long. */
export function randomString(dice: Dice, maxLength = 2048): string {
  if (dice.chance(0.3)) return dice.pick(SAMPLE_TEXT);
  const length = dice.length(maxLength);
  let text = '';
  for (let i = 0; i < length; i++) {
    text += dice.chance(0.9) ? String.fromCharCode(0x20 + dice.int(95)) : String.fromCodePoint(dice.pick([0xe9, 0x4e16, 0x1f600, 0x10ffff, 0xfffd]));
  }
  return text;
}

const I64_EDGES = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0x1fffffffffffffn, -(2n ** 53n)];

/** A random i64. */
export function randomI64(dice: Dice): bigint {
  if (dice.chance(0.3)) return dice.pick(I64_EDGES);
  return BigInt.asIntN(64, (BigInt(dice.int(0x100000000)) << 32n) | BigInt(dice.int(0x100000000)));
}

const I32_EDGES = [0, 1, -1, 0x7fffffff, -0x80000000, 255, 65535];

/** A random i32. */
export function randomI32(dice: Dice): number {
  return dice.chance(0.3) ? dice.pick(I32_EDGES) : dice.int(0x100000000) | 0;
}

/** A random double, special values included. */
export function randomDouble(dice: Dice): number {
  return dice.chance(0.2) ? dice.pick([0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE]) : (dice.random() - 0.5) * 1e6;
}

function randomUuid(dice: Dice): string {
  const hex = Array.from(dice.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function many<T>(dice: Dice, max: number, item: (dice: Dice) => T): T[] {
  return Array.from({ length: dice.length(max) }, () => item(dice));
}

function randomShape(dice: Dice): Shape {
  return dice.chance(0.5)
    ? { kind: 'circle', value: { radius: randomDouble(dice) } }
    : { kind: 'rect', value: { width: randomDouble(dice), height: randomDouble(dice) } };
}

function randomMoney(dice: Dice): Money {
  return { amountMinor: randomI64(dice), currency: dice.pick(['EUR', 'USD', '', 'XXXX']) };
}

function randomUserId(dice: Dice): bigint {
  return dice.weighted<bigint>([
    [6, BigInt(dice.int(1000))],
    [1, -1n],
    [1, CRASHING_USER_ID],
    [1, randomI64(dice)],
  ]);
}

const COLORS = Object.values(Color);
const ROLES = Object.values(Role);
const STATUSES = Object.values(AccountStatus);

/** Every method the fuzzer calls. */
export const FUZZ_METHODS: readonly FuzzMethod[] = [
  method('KitchenSink', KitchenSink.methods.ping, () => ({})),
  method('KitchenSink', KitchenSink.methods.echo, (d) => ({ text: randomString(d) })),
  method('KitchenSink', KitchenSink.methods.nothing, () => ({})),
  method('KitchenSink', KitchenSink.methods.everything, (d) => ({
    aBool: d.chance(0.8),
    anI64: randomI64(d),
    aBinary: d.bytes(d.length(512)),
    shapes: many(d, 8, randomShape),
    index: new Map(many(d, 4, (d2) => [randomString(d2, 16), many(d2, 4, randomI64)] as const)),
    color: d.pick(COLORS),
    price: randomMoney(d),
    id: randomUuid(d),
  })),
  method('KitchenSink', KitchenSink.methods.reservedNames, (d) => ({
    let_: randomI32(d),
    type_: randomString(d, 32),
    options_: randomI32(d),
    ctx_: randomI32(d),
    arguments_: randomI32(d),
    eval_: randomI32(d),
  })),
  method('KitchenSink', KitchenSink.methods.fireAndForget, (d) => ({ event: randomString(d, 64) })),
  method('KitchenSink', KitchenSink.methods.balances, (d) => ({ ids: many(d, 20, randomI64) })),
  method('KitchenSink', KitchenSink.methods.draw, (d) => ({ canvas: { shapes: many(d, 4, randomShape), background: d.pick(COLORS) } })),
  method('KitchenSink', KitchenSink.methods.constructor_, () => ({})),
  method('UserService', UserService.methods.ping, () => ({})),
  method('UserService', UserService.methods.health, () => ({})),
  method('UserService', UserService.methods.getUser, (d) => ({ id: randomUserId(d) })),
  method('UserService', UserService.methods.createUser, (d) => ({
    request: {
      email: d.chance(0.8) ? `${randomString(d, 16)}@example.com` : randomString(d, 16),
      role: d.pick(ROLES),
      ...(d.chance(0.5) ? { displayName: randomString(d, 40) } : {}),
      ...(d.chance(0.3) ? { idempotencyKey: randomString(d, 40) } : {}),
    },
  })),
  method('UserService', UserService.methods.updateUser, (d) => {
    const patch: UserPatch = {};
    if (d.chance(0.5)) patch.displayName = randomString(d, 40);
    if (d.chance(0.3)) patch.role = d.pick(ROLES);
    if (d.chance(0.3)) patch.status = d.pick(STATUSES);
    if (d.chance(0.3)) patch.tags = new Set(many(d, 5, (d2) => randomString(d2, 10)));
    return { id: randomUserId(d), patch };
  }),
  method('UserService', UserService.methods.listUsers, (d) => ({
    request: {
      page: { limit: d.between(-1, 5), ...(d.chance(0.3) ? { cursor: `slow:${d.int(MAX_HANDLER_DELAY_MS + 1)}` } : {}) },
      ...(d.chance(0.3) ? { role: d.pick(ROLES) } : {}),
    },
  })),
  method('UserService', UserService.methods.deleteUser, (d) => ({ id: randomUserId(d) })),
  method('UserService', UserService.methods.recordLogin, (d) => ({ id: randomUserId(d), at: randomI64(d) })),
];

/**
 * The wire name of `method`: its bare name when that reaches it (`KitchenSink` is registered
 * first, so its `ping` owns the bare name), or the multiplexed `Service:method` form.
 */
function wireName(dice: Dice, m: FuzzMethod): string {
  const bareReachesIt = m.service === 'KitchenSink' || (m.name !== 'ping' && m.name !== 'echo');
  return bareReachesIt && dice.chance(0.8) ? m.name : `${m.service}:${m.name}`;
}

/** Random THeader info headers: application metadata, sometimes the control feature and (with `deadlines`) a deadline. */
function randomHeaders(dice: Dice, deadlines: boolean): Map<string, string> {
  const headers = new Map<string, string>();
  if (dice.chance(0.3)) headers.set(SkiffHeader.FEATURES, 'control');
  if (deadlines && dice.chance(0.3)) headers.set(SkiffHeader.TIMEOUT_MS, String(dice.pick([1, 5, 100, 5000, 0x7fffffff])));
  for (let i = dice.length(6); i > 0; i--) headers.set(randomString(dice, 12), randomString(dice, 40));
  return headers;
}

/**
 * A valid call with random arguments and `seqId`; `oneway` says that no reply will come. Without
 * `deadlines` every other call is answered: with one, a call still running at its deadline is
 * dropped by the server without a reply (the client has stopped waiting).
 */
export function randomCall(dice: Dice, seqId: number, { deadlines = true } = {}): { readonly message: Message; readonly oneway: boolean } {
  const m = dice.pick(FUZZ_METHODS);
  return {
    message: {
      name: wireName(dice, m),
      type: m.oneway ? MessageType.ONEWAY : MessageType.CALL,
      seqId,
      headers: randomHeaders(dice, deadlines),
      writeArgs: m.writeArgs(dice),
    },
    oneway: m.oneway,
  };
}
