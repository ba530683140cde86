/**
 * Where the runtime reports what it does on its own (a connection closed for a malformed frame,
 * a handler crash, a reconnect). Pass your own to `createServer`/`createChannel` to route these
 * into an application's logging; the default writes one line per event to stderr.
 */

/** Structured details of a log event (peer address, error code, byte offset, ...). */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** A minimal structured logger; `console`-like loggers (pino, winston) fit with a small adapter. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function line(level: string, message: string, fields: LogFields | undefined): string {
  let text = `skiff ${level}: ${message}`;
  if (fields !== undefined) {
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) text += ` ${key}=${JSON.stringify(value)}`;
  }
  return `${text}\n`;
}

/** Writes `info` and above to stderr, one line each; `debug` is dropped. */
export const stderrLogger: Logger = {
  debug() {},
  info: (message, fields) => void process.stderr.write(line('info', message, fields)),
  warn: (message, fields) => void process.stderr.write(line('warn', message, fields)),
  error: (message, fields) => void process.stderr.write(line('error', message, fields)),
};

/** Drops everything (for tests and embedders that observe through other means). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
