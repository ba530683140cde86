/**
 * One fuzzing connection: sends inputs as told (in one write, in chunks, byte by byte, slowly),
 * then a probe (a valid `echo` call) and waits until the probe is answered or the server closes
 * the connection, within a watchdog bound. A probe answer proves the server read past the input
 * and is back at a message boundary, so the next input starts in sync.
 *
 * Every reply the server sends is checked: it must parse (envelope, a whole result struct, no
 * trailing bytes). The stream format is the one the server infers from the connection's first
 * byte (`80`: unframed Binary, `82`: unframed Compact, anything else: length-prefixed frames),
 * and the probe is written in it.
 */
import { connect, type Socket } from 'node:net';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { BinaryReader } from '../runtime/protocol/binary.js';
import { BufferedDecoder } from '../runtime/protocol/buffered-decoder.js';
import { CompactReader } from '../runtime/protocol/compact.js';
import { FrameDecoder } from '../runtime/protocol/frame-decoder.js';
import { unwrapFrame, type WireProtocol } from '../runtime/protocol/framing.js';
import { MessageType, TType } from '../runtime/protocol/types.js';
import type { FuzzInput } from './inputs.js';
import { encodeMessage, type WireMode } from './wire.js';

/** How one input ended. */
export type InputOutcome =
  /** The probe after it was answered (and every reply the input was owed had come). */
  | 'answered'
  /** The server closed the connection (or, after a half-close, finished closing it). */
  | 'closed'
  /** Neither within the watchdog bound: the server is stuck on this connection. */
  | 'hang'
  /** The probe was answered or the connection closed, but a valid input's reply never came. */
  | 'lost-replies';

/** First sequence id of probes; inputs use ids below it. */
export const PROBE_SEQ_BASE = 0x40000000;
/** How often a connection whose probe was swallowed probes again, in milliseconds. */
const REPROBE_MS = 250;
/** Sequence ids reserved for each input (more than its largest batch of calls). */
const SEQ_IDS_PER_INPUT = 2048;
/** Largest reply frame the fuzzer accepts (a reply echoes at most a request). */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;
const PROBE_NAME = 'echo';

type StreamFormat = 'unknown' | 'framed' | WireProtocol;

/** What {@link FuzzConnection.probe} waits for, and how long. */
export interface ProbeExpectation {
  /** Replies (other than probe answers) the input is owed. */
  readonly expectedReplies: number;
  /** {@link FuzzConnection.replies} before the input was sent. */
  readonly repliesBefore: number;
  /** How long to wait before half-closing or probing again, in milliseconds. */
  readonly patienceMs: number;
  /** Half-close after `patienceMs` (for inputs owed no reply) instead of probing again. */
  readonly endEarly: boolean;
  /** Bound on the rest of the wait, in milliseconds. */
  readonly watchdogMs: number;
}

/** A fuzzing connection (see the module comment). */
export class FuzzConnection {
  /** The client's port, kept for matching server reports (the socket forgets it once closed). */
  readonly localPort: number;
  isClosed = false;
  /** This side has half-closed: no more inputs; the connection is done once the server closes. */
  ended = false;
  /** Replies received that were not probe answers or control frames. */
  replies = 0;
  /** Replies that did not parse: each one is a bug in the server. */
  readonly badReplies: string[] = [];
  private format: StreamFormat = 'unknown';
  private decoder: FrameDecoder | BufferedDecoder | undefined;
  private nextSeqId = 1;
  private nextProbe = PROBE_SEQ_BASE;
  private answeredProbe = 0;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly chosenMode: WireMode,
  ) {
    this.localPort = socket.localPort ?? 0;
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.once('close', () => {
      this.isClosed = true;
      this.wake?.();
    });
  }

  /** Connects to 127.0.0.1:`port` (from `localAddress`, when given). */
  static open(port: number, mode: WireMode, localAddress?: string): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ...(localAddress === undefined ? {} : { localAddress }) });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new FuzzConnection(socket, mode));
      });
    });
  }

  /**
   * The wire mode of valid inputs and probes on this connection: the one it was opened with,
   * until its first byte has told the server otherwise (a framed mode whose first input began
   * like an unframed message is unframed from then on, and the other way round).
   */
  get mode(): WireMode {
    const chosen = this.chosenMode;
    if (this.format === 'unknown') return chosen;
    if (this.format === 'framed') return chosen.framing === 'buffered' ? { framing: 'framed', protocol: chosen.protocol } : chosen;
    return { framing: 'buffered', protocol: this.format };
  }

  /**
   * A block of sequence ids for the next input (inputs of many frames use consecutive ids), so
   * no two inputs on a connection share one.
   */
  takeSeqIds(): number {
    const first = this.nextSeqId;
    this.nextSeqId = first + 2 * SEQ_IDS_PER_INPUT < PROBE_SEQ_BASE ? first + SEQ_IDS_PER_INPUT : 1;
    return first;
  }

  /** Writes `input` as its delivery says; stops early if the connection closes. */
  async send(input: FuzzInput): Promise<void> {
    const bytes = input.bytes;
    if (bytes.length === 0) return;
    this.noteFirstByte(bytes[0]!);
    if (input.delivery === 'whole') {
      this.write(bytes);
      return;
    }
    if (input.delivery === 'chunks') {
      let from = 0;
      for (const cut of [...input.cuts, bytes.length]) {
        if (this.isClosed) return;
        this.write(bytes.subarray(from, cut));
        from = cut;
        await nextTurn();
      }
      return;
    }
    for (let i = 0; i < bytes.length && !this.isClosed; i++) {
      this.write(bytes.subarray(i, i + 1));
      if (input.delivery === 'slow') await sleep(2 + (i % 4));
      else await nextTurn();
    }
  }

  /**
   * Sends a probe, then waits until a probe is answered and `expectedReplies` other replies have
   * come since `repliesBefore`, or the connection closes: `hang` after `watchdogMs`.
   *
   * An input may leave the server waiting for the rest of a frame, which swallows the probe, or
   * may complete into a message that swallows it whole and leaves the server idle. So after
   * `patienceMs` without an answer the connection either half-closes (`endEarly`: the server
   * must then close it promptly) or probes again every {@link REPROBE_MS} (a server in sync
   * answers one; a server still inside a frame closes the connection at its `frameTimeoutMs`).
   * Only then does the watchdog run: a server that does neither is stuck.
   */
  async probe(expected: ProbeExpectation): Promise<InputOutcome> {
    const { expectedReplies, repliesBefore } = expected;
    const allReplies = (): boolean => this.replies - repliesBefore >= expectedReplies;
    if (this.isClosed) return allReplies() ? 'closed' : 'lost-replies';
    const firstProbe = this.sendProbe();
    const done = (): boolean => this.isClosed || (this.answeredProbe >= firstProbe && allReplies());
    let settled = await this.waitUntil(done, expected.patienceMs);
    if (!settled) {
      if (expected.endEarly && expectedReplies === 0) {
        // Half-closed: whatever comes back, the connection is finished once the server closes it.
        this.socket.end();
        this.ended = true;
        settled = await this.waitUntil(() => this.isClosed, expected.watchdogMs);
      } else {
        // Probes again now and then: each probe could be swallowed too, if it happens to
        // complete the frame the server is waiting for (the long run met one, once in a million).
        const until = Date.now() + expected.watchdogMs;
        do {
          this.sendProbe();
          settled = await this.waitUntil(done, Math.min(REPROBE_MS, until - Date.now()));
        } while (!settled && Date.now() < until);
      }
    }
    const answered = this.answeredProbe >= firstProbe;
    if (!settled) return answered && !allReplies() ? 'lost-replies' : 'hang';
    if (!allReplies()) return 'lost-replies';
    return answered ? 'answered' : 'closed';
  }

  private sendProbe(): number {
    const seqId = this.nextProbe++;
    this.write(this.probeBytes(seqId));
    return seqId;
  }

  /** Half-closes and waits for the server to close its side: `closed`, or `hang` after `watchdogMs`. */
  async endAndWait(watchdogMs: number): Promise<InputOutcome> {
    this.socket.end();
    this.ended = true;
    return (await this.waitUntil(() => this.isClosed, watchdogMs)) ? 'closed' : 'hang';
  }

  /** Closes at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private write(bytes: Uint8Array): void {
    if (bytes.length > 0 && !this.isClosed && this.socket.writable) this.socket.write(bytes);
  }

  private noteFirstByte(first: number): void {
    if (this.format !== 'unknown') return;
    this.format = first === 0x80 ? 'binary' : first === 0x82 ? 'compact' : 'framed';
    this.decoder = this.format === 'framed' ? new FrameDecoder({ maxFrameBytes: MAX_REPLY_BYTES }) : new BufferedDecoder(this.format, { maxMessageBytes: MAX_REPLY_BYTES });
  }

  /** A valid `echo` call in the connection's mode. */
  private probeBytes(seqId: number): Uint8Array {
    const chosen = this.chosenMode;
    if (this.format === 'unknown') this.noteFirstByte(chosen.framing === 'buffered' ? (chosen.protocol === 'compact' ? 0x82 : 0x80) : 0);
    return encodeMessage(this.mode, {
      name: PROBE_NAME,
      type: MessageType.CALL,
      seqId,
      writeArgs: (w) => {
        w.writeStructBegin();
        w.writeFieldBegin(TType.STRING, 1);
        w.writeString(`probe ${seqId}`);
        w.writeFieldStop();
        w.writeStructEnd();
      },
    });
  }

  private onData(chunk: Buffer): void {
    if (this.decoder === undefined) {
      this.badReplies.push(`the server sent ${chunk.length} bytes before any request`);
      this.socket.destroy();
      return;
    }
    try {
      this.decoder.push(chunk, (frame) => this.onReply(frame));
    } catch (error) {
      this.badReplies.push(`reply stream does not decode: ${error instanceof Error ? error.message : String(error)}`);
      this.socket.destroy();
    }
    this.wake?.();
  }

  private onReply(frame: Uint8Array): void {
    const incoming = unwrapFrame(frame, 0, this.format === 'framed' ? 'framed' : 'buffered');
    if (incoming.payload.length === 0) return;
    const r = incoming.protocol === 'compact' ? new CompactReader(incoming.payload) : new BinaryReader(incoming.payload);
    try {
      const message = r.readMessageBegin();
      if (message.type !== MessageType.REPLY && message.type !== MessageType.EXCEPTION) throw new Error(`message type ${message.type} in a reply`);
      const resultAt = r.offset;
      r.skip(TType.STRUCT);
      r.expectEnd();
      if (message.name === PROBE_NAME && message.seqId >= PROBE_SEQ_BASE && message.seqId < this.nextProbe) {
        r.reset(incoming.payload.subarray(resultAt));
        if (message.type === MessageType.REPLY && readEchoResult(r) !== `probe ${message.seqId}`) throw new Error(`the answer to probe ${message.seqId} is wrong`);
        this.answeredProbe = Math.max(this.answeredProbe, message.seqId);
      } else {
        this.replies++;
      }
    } catch (error) {
      this.badReplies.push(`reply does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Resolves `true` once `done()` holds (checked on every reply and on close), `false` after `timeoutMs`. */
  private waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, timeoutMs);
      this.wake = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }
}

/** The `success` string of an `echo` result struct, or `undefined` when it has none. */
function readEchoResult(r: CompactReader | BinaryReader): string | undefined {
  r.readStructBegin();
  let value: string | undefined;
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    if (r.fieldId === 0 && t === TType.STRING) value = r.readString();
    else r.skip(t);
  }
  r.readStructEnd();
  return value;
}
