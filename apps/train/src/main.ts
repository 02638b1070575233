#!/usr/bin/env node
import { CommanderError } from 'commander';
import { parseTrainArgs } from './cli.js';
import { dryRunSummary, prepareData } from './data.js';

async function main(argv: string[]): Promise<number> {
  const config = parseTrainArgs(argv, (cmd) => cmd.exitOverride());
  if (config.dry_run) {
    const data = await prepareData(config);
    const summary = dryRunSummary(config, data);
    const count = (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-US') : 'unknown');
    process.stderr.write(
      `model: --arch ${config.arch}, ${String(summary['backbone'])} (${count(summary['backbone_parameters'])} frozen parameters), ` +
        `encoder ${count(summary['encoder_parameters'])} + decoder ${count(summary['decoder_parameters'])} trainable parameters\n`,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  const { runTraining } = await import('./run-training.js');
  return runTraining(config);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Commander has already printed the message naming the flag (or the help text).
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.IMGCAP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
