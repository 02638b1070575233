import { CommanderError } from 'commander';
import { exitOnSignals, parseServerArgs, startServer } from './server.js';

try {
  const server = await startServer(parseServerArgs(process.argv.slice(2)));
  exitOnSignals(server);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
