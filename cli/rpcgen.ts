#!/usr/bin/env node
/**
 * The `rpcgen` command: `rpcgen call ...` and `rpcgen list ...` talk to services described by IDL
 * files (`call-command.ts`, `list-command.ts`); every other command line goes to the compiler
 * (`compiler/cli.ts`) unchanged. (To compile a directory named `call` or `list`, write `./call`.)
 * Each side is loaded only when used, so neither pays for the other's startup.
 */
import type { CommandIo } from './command-io.js';

const SUBCOMMANDS = `
Other commands:
  rpcgen call HOST:PORT Service.method ['<json args>'] [options] FILE.rpc...
                      call a live server, arguments and result as JSON (rpcgen call --help)
  rpcgen list [-I DIR]... FILE.rpc...
                      list services and their methods' signatures (rpcgen list --help)
`;

const io: CommandIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'call' || command === 'list') {
    const run = command === 'call' ? (await import('./call-command.js')).runCall : (await import('./list-command.js')).runList;
    process.exitCode = await run(rest, io);
    return;
  }
  const compiler = await import('../compiler/cli.js');
  await compiler.run(argv);
  if (argv.length === 0) process.stderr.write(SUBCOMMANDS);
  else if ((argv.includes('--help') || argv.includes('-h')) && !process.exitCode) process.stdout.write(SUBCOMMANDS);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`rpcgen: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
