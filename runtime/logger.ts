/**
 * Where the runtime reports what it does on its own (a connection closed for a malformed frame,
 * a handler crash, a server drained). Pass your own logger to `createServer`, `startPrefork`,
 * `createAdminServer` and the etcd helpers to route these into an application's logging.
 *
 * The interface is pino's: each level takes the structured fields first, then the message, so a
 * pino logger (or a child of one) is passed as is: `createServer({ logger: pino() })`. The
 * default writes warnings and errors to stderr, one line each, and nothing else.
 */

/** Structured details of a log event (peer address, error code, byte offset, ...). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** A structured logger, call-compatible with pino (`logger.warn({ peer }, 'message')`). */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** Levels from the most verbose; a logger at one level writes it and those after it. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function line(level: LogLevel, fields: LogFields, message: string): string {
  let text = `skiff ${level}: ${message}`;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) text += ` ${key}=${JSON.stringify(value)}`;
  return `${text}\n`;
}

/** A logger that writes events at `level` and above to stderr, one line each (`skiff warn: message key="value"`). */
export function createStderrLogger(level: LogLevel = 'warn'): Logger {
  const from = LEVELS.indexOf(level);
  const at = (l: LogLevel) => (LEVELS.indexOf(l) < from ? () => {} : (fields: LogFields, message: string) => void process.stderr.write(line(l, fields, message)));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The default: warnings and errors to stderr; quiet otherwise. */
export const stderrLogger: Logger = createStderrLogger('warn');

/** Drops everything (for tests and embedders that observe through other means). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
