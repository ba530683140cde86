/**
 * The types of what rpcgen generates for interop.rpc, written out by hand. The interop tests
 * compile interop.rpc at test time (see `loadInterop` in setup.ts) and import the result
 * dynamically, so tsc never sees the generated module: these declarations stand in for it. They
 * only describe; every value and behaviour comes from the generated code at run time.
 */
import type { CallContext, CallOptions, Channel, ServiceDescriptor, StructCodec, UnionCodec } from 'skiff/runtime';

export type Color = 1 | 2 | 7 | -3;

export interface Point {
  x: number;
  y: number;
}

export type Shape =
  | { readonly kind: 'point'; readonly value: Point }
  | { readonly kind: 'radius'; readonly value: number }
  | { readonly kind: 'label'; readonly value: string }
  | { readonly kind: 'polygon'; readonly value: Point[] }
  | { readonly kind: 'raw'; readonly value: Uint8Array };

export interface Primitives {
  aBool?: boolean;
  aByte?: number;
  anI16?: number;
  anI32?: number;
  anI64?: bigint;
  aDouble?: number;
  aString?: string;
  aBinary?: Uint8Array;
}

export interface Containers {
  ints?: number[];
  names?: Set<string>;
  counts?: Map<string, bigint>;
  grid?: number[][];
  pointsByName?: Map<string, Point[]>;
  bigs?: Set<bigint>;
  deep?: Map<number, Map<string, Set<number>>>;
  shapes?: Shape[];
  tagsByColor?: Map<Color, string[]>;
  blobs?: Uint8Array[];
  weights?: Map<bigint, number>;
  flags?: boolean[];
  records?: Primitives[];
}

export interface Everything {
  id: bigint;
  nickname?: string;
  greeting: string;
  count: number;
  color: Color;
  tags?: string[];
  directory?: Map<string, bigint>;
  primitives?: Primitives;
  containers?: Containers;
  shape?: Shape;
  ratios: number[];
  big: bigint;
}

export interface Profile {
  id: bigint;
  name?: string;
  email?: string;
  level: number;
}

export interface NotFound extends Error {
  id?: bigint;
}
export interface Invalid extends Error {
  code?: number;
  problems?: string[];
}
export type Mismatch = Error;

type Returns<T> = T | Promise<T>;

export interface BaseHandler {
  ping(ctx: CallContext): Returns<void>;
  name(ctx: CallContext): Returns<string>;
}

export interface InteropHandler extends BaseHandler {
  echoBool(v: boolean, ctx: CallContext): Returns<boolean>;
  echoByte(v: number, ctx: CallContext): Returns<number>;
  echoI16(v: number, ctx: CallContext): Returns<number>;
  echoI32(v: number, ctx: CallContext): Returns<number>;
  echoI64(v: bigint, ctx: CallContext): Returns<bigint>;
  echoDouble(v: number, ctx: CallContext): Returns<number>;
  echoString(v: string, ctx: CallContext): Returns<string>;
  echoBinary(v: Uint8Array, ctx: CallContext): Returns<Uint8Array>;
  echoEnum(v: Color, ctx: CallContext): Returns<Color>;
  echoTypedef(v: bigint, ctx: CallContext): Returns<bigint>;
  echoList(v: number[], ctx: CallContext): Returns<number[]>;
  echoSet(v: Set<string>, ctx: CallContext): Returns<Set<string>>;
  echoMap(v: Map<string, bigint>, ctx: CallContext): Returns<Map<string, bigint>>;
  echoNested(v: Map<string, Set<number>>[], ctx: CallContext): Returns<Map<string, Set<number>>[]>;
  echoUnion(v: Shape, ctx: CallContext): Returns<Shape>;
  echoPrimitives(v: Primitives, ctx: CallContext): Returns<Primitives>;
  echoContainers(v: Containers, ctx: CallContext): Returns<Containers>;
  roundTrip(sample: string, v: Everything, ctx: CallContext): Returns<Everything>;
  describe(a: number, b: bigint, c: string, d: Color, e: Point, ctx: CallContext): Returns<string>;
  fetch(id: bigint, ctx: CallContext): Returns<Everything>;
  check(kind: string, ctx: CallContext): Returns<void>;
  record(event: string, ctx: CallContext): Returns<void>;
  recorded(ctx: CallContext): Returns<string[]>;
  header(key: string, ctx: CallContext): Returns<string>;
}

export interface OtherHandler extends BaseHandler {
  add(a: number, b: number, ctx: CallContext): Returns<number>;
}

export interface ProfilesHandler {
  update(profile: Profile, ctx: CallContext): Returns<Profile>;
  remove(id: bigint, ctx: CallContext): Returns<void>;
}

type O = CallOptions;

export interface BaseClient {
  ping(options?: O): Promise<void>;
  name(options?: O): Promise<string>;
}

export interface InteropClient extends BaseClient {
  echoBool(v: boolean, options?: O): Promise<boolean>;
  echoByte(v: number, options?: O): Promise<number>;
  echoI16(v: number, options?: O): Promise<number>;
  echoI32(v: number, options?: O): Promise<number>;
  echoI64(v: bigint, options?: O): Promise<bigint>;
  echoDouble(v: number, options?: O): Promise<number>;
  echoString(v: string, options?: O): Promise<string>;
  echoBinary(v: Uint8Array, options?: O): Promise<Uint8Array>;
  echoEnum(v: Color, options?: O): Promise<Color>;
  echoTypedef(v: bigint, options?: O): Promise<bigint>;
  echoList(v: number[], options?: O): Promise<number[]>;
  echoSet(v: Set<string>, options?: O): Promise<Set<string>>;
  echoMap(v: Map<string, bigint>, options?: O): Promise<Map<string, bigint>>;
  echoNested(v: Map<string, Set<number>>[], options?: O): Promise<Map<string, Set<number>>[]>;
  echoUnion(v: Shape, options?: O): Promise<Shape>;
  echoPrimitives(v: Primitives, options?: O): Promise<Primitives>;
  echoContainers(v: Containers, options?: O): Promise<Containers>;
  roundTrip(sample: string, v: Everything, options?: O): Promise<Everything>;
  describe(a: number, b: bigint, c: string, d: Color, e: Point, options?: O): Promise<string>;
  fetch(id: bigint, options?: O): Promise<Everything>;
  check(kind: string, options?: O): Promise<void>;
  record(event: string, options?: O): Promise<void>;
  recorded(options?: O): Promise<string[]>;
  header(key: string, options?: O): Promise<string>;
}

export interface OtherClient extends BaseClient {
  add(a: number, b: number, options?: O): Promise<number>;
}

export interface ProfilesClient {
  update(profile: Profile, options?: O): Promise<Profile>;
  remove(id: bigint, options?: O): Promise<void>;
}

/** The generated module (test/interop/rpc/interop.rpc through rpcgen). */
export interface InteropModule {
  readonly Color: { readonly RED: 1; readonly GREEN: 2; readonly BLUE: 7; readonly INFRARED: -3 };
  readonly Point: StructCodec<Point>;
  readonly Shape: UnionCodec<Shape>;
  readonly Primitives: StructCodec<Primitives>;
  readonly Containers: StructCodec<Containers>;
  readonly Everything: StructCodec<Everything, 'greeting' | 'count' | 'color' | 'ratios' | 'big'>;
  readonly Profile: StructCodec<Profile, 'level'>;
  readonly NotFound: new (init?: { message?: string; id?: bigint }) => NotFound;
  readonly Invalid: new (init?: { message?: string; code?: number; problems?: string[] }) => Invalid;
  readonly Mismatch: new (init?: { message?: string }) => Mismatch;
  readonly Interop: ServiceDescriptor<InteropHandler>;
  readonly Other: ServiceDescriptor<OtherHandler>;
  readonly Profiles: ServiceDescriptor<ProfilesHandler>;
  readonly InteropClient: new (channel: Channel) => InteropClient;
  readonly OtherClient: new (channel: Channel) => OtherClient;
  readonly ProfilesClient: new (channel: Channel) => ProfilesClient;
}
