#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The `dvpp-pool` command (package `bin`, and what `npm start` runs): picks the subcommand and
// turns its outcome into an exit code. A user mistake (UsageError) prints one line and exits 2;
// a coded dvpp-pool error (no backend, ACL failure) prints its message and code and exits 1;
// anything else is a bug and keeps its stack trace. The subcommand's arguments are parsed here,
// once for every command, and `--help` answered here; $DVPP_POOL_BACKEND is checked here, once,
// before any command that picks a backend runs.

import { DvppPoolError } from '../errors.js';
import { type Command, EXIT_USAGE, UsageError, checkBackendEnvironment, parseCommandLine } from './args.js';
import { demoCommand } from './demo.js';
import { infoCommand } from './info.js';
import { mapCommand } from './map.js';
import { timelineCommand } from './timeline.js';
import { replayCommand } from './replay.js';

const COMMANDS: readonly Command[] = [demoCommand, infoCommand, mapCommand, replayCommand, timelineCommand];

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'Usage: dvpp-pool <command> [options]',
    '',
    'A memory pool for Huawei Ascend DVPP memory: one block, carved into 128-aligned segments.',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "Run 'dvpp-pool <command> --help' for a command's options. 'npm start' runs 'dvpp-pool demo'.",
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw new UsageError("missing command (see 'dvpp-pool --help')");
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    throw new UsageError(`unknown command '${name}'; commands are ${COMMANDS.map((c) => c.name).join(', ')} (see 'dvpp-pool --help')`);
  }
  const line = parseCommandLine(command.name, args, command.options, command.positionals);
  if (line.values.help === true) {
    process.stdout.write(command.help);
    return 0;
  }
  if (command.usesBackend) checkBackendEnvironment();
  return command.run(line);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    // One line, whatever the message quotes (JSON.parse quotes the bad input, newlines included).
    process.stderr.write(`dvpp-pool: ${error.message.replace(/\s+/g, ' ')}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof DvppPoolError) {
    process.stderr.write(`dvpp-pool: ${error.message.replace(/\s+/g, ' ')} (${error.code})\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
