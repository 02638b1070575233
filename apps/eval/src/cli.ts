import { Command, type OutputConfiguration } from 'commander';
import { registerCaptionFilesCommand } from './caption-files/command.js';
import { registerCompareCommand } from './compare/command.js';
import { registerEvaluateCommand } from './evaluate/command.js';
import { registerImportKerasCommand } from './import-keras/command.js';
import { registerScoreCommand } from './score/command.js';

export interface EvalProgramOptions {
  /** Where help, results and errors go (default: process stdout/stderr). */
  output?: OutputConfiguration;
  /** Throw a CommanderError instead of calling process.exit, for embedding the program in another process. */
  exitOverride?: boolean;
}

/**
 * The `eval` program. Subcommands register themselves here: `caption` (the default: `eval --model …`), `caption-files`, `compare`,
 * `score` and `import-keras`. Settings must be applied before subcommands exist, as commander copies them on creation.
 */
export function buildEvalProgram(options: EvalProgramOptions = {}): Command {
  const program = new Command('eval').description('Evaluate image captions.');
  if (options.output) program.configureOutput(options.output);
  if (options.exitOverride) program.exitOverride();
  registerEvaluateCommand(program);
  registerCaptionFilesCommand(program);
  registerCompareCommand(program);
  registerScoreCommand(program);
  registerImportKerasCommand(program);
  return program;
}
