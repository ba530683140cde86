/** Runs the built `rpcgen` bin (dist/cli/rpcgen.js) in a child process, as a user's shell would. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandIo } from '../../cli/command-io.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = resolve(ROOT, 'dist/cli/rpcgen.js');

/** What a run printed and how it ended. */
export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Throws unless the bin was built. */
export function requireBuiltCli(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
}

/**
 * `rpcgen ...args` with the repository as working directory; `stdin` is written and closed.
 * Asynchronous, so servers in the test process keep serving while it runs; killed after 20 s.
 */
export function rpcgen(args: readonly string[], stdin = ''): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A {@link CommandIo} that records what a command run in-process prints. */
export function recordingIo(stdin = ''): CommandIo & { readonly out: string; readonly err: string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    readStdin: () => Promise.resolve(stdin),
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}
