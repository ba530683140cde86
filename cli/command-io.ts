/**
 * What the shell commands (`rpcgen call`, `rpcgen list`) get from the process and give back: output
 * streams, standard input on demand, and an exit status. Commands never touch `process` themselves,
 * so tests run them in-process; `rpcgen.ts` wires them to the real process.
 */

/** Exit status: the command did what was asked. */
export const EXIT_OK = 0;
/** Exit status: the call failed (declared exception, `RpcError`), or the IDL does not compile. */
export const EXIT_FAILED = 1;
/** Exit status: the command line, the arguments' JSON, or a name in it is wrong. */
export const EXIT_USAGE = 2;

/** The process as a command sees it. */
export interface CommandIo {
  /** Writes to standard output (results). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error (errors, one line each). */
  readonly stderr: (text: string) => void;
  /** Reads standard input to its end (for `-` in place of the JSON arguments). */
  readonly readStdin: () => Promise<string>;
}

/** A mistake in how the command was invoked: printed as one line, exit status {@link EXIT_USAGE}. */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError';
  }
}
