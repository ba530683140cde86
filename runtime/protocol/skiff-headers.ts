/**
 * THeader info header keys skiff gives a meaning to (documented with examples in
 * `docs/protocol.md`). Every key starting with {@link RESERVED_HEADER_PREFIX} belongs to skiff;
 * any other key is application metadata, passed through untouched.
 */

/** Keys of skiff's own info headers. */
export const SkiffHeader = {
  /**
   * Comma-separated features the sender supports, sent on a connection's first frame in each
   * direction. `control` means: send me control frames (cancel, ping, goaway).
   */
  FEATURES: 'skiff-features',
  /** On a request: milliseconds the caller will still wait (a relative deadline, immune to clock skew). */
  TIMEOUT_MS: 'skiff-timeout-ms',
  /** On an `EXCEPTION` reply: the exact `ErrorCode` (stock peers read the TApplicationException type). */
  STATUS: 'skiff-status',
  /** Marks a control frame (empty payload) and names it: one of {@link ControlMessage}. */
  CONTROL: 'skiff-control',
  /**
   * On an `EXCEPTION` reply, value `1`: the server refused the call before its handler ran
   * (draining, overloaded), so retrying it on another server is safe whatever the method.
   */
  REFUSED: 'skiff-refused',
} as const;

/** Prefix of the keys reserved for skiff; application metadata may not use it. */
export const RESERVED_HEADER_PREFIX = 'skiff-';

/** The feature that enables control frames between two skiff peers. */
export const CONTROL_FEATURE = 'control';

/**
 * Control frames: THeader frames with an empty payload and a {@link SkiffHeader.CONTROL} header,
 * only ever sent to a peer that announced {@link CONTROL_FEATURE}.
 *
 * - `cancel` (client -> server, seqid of the call): the caller gave up; abort the handler and
 *   send no reply.
 * - `ping` (either way, any seqid): answer with `pong` and the same seqid.
 * - `goaway` (server -> client): the server is draining; send no new calls on this connection,
 *   calls in flight still complete.
 */
export const ControlMessage = {
  CANCEL: 'cancel',
  PING: 'ping',
  PONG: 'pong',
  GOAWAY: 'goaway',
} as const;

/** One of the {@link ControlMessage} names. */
export type ControlMessage = (typeof ControlMessage)[keyof typeof ControlMessage];
