import { SPLITS } from '@imgcap/flickr-dataset';
import { Option, type Command } from 'commander';
import { collectEntry, type CompareEntry } from './collect.js';
import { compareTable } from './table.js';

/** Builds the Markdown comparison of run or bundle directories (their eval-*\/metrics.json files). */
export async function runCompare(
  dirs: readonly string[],
  split: string,
  warn: (line: string) => void,
): Promise<string> {
  const entries: CompareEntry[] = [];
  for (const dir of dirs) entries.push(await collectEntry(dir, warn));
  return compareTable(entries, split);
}

/** Adds `compare DIR…`: prints a Markdown table across runs/bundles, or one error line and exit code 1. */
export function registerCompareCommand(program: Command): Command {
  return program
    .command('compare')
    .description(
      'Markdown table across runs/bundles: preset, parameters, size, and their eval metrics (greedy vs beam)',
    )
    .argument('<dirs...>', 'training run directories or caption bundles')
    .addOption(new Option('--split <name>', 'which evals to show').choices(SPLITS).default('test'))
    .action(async (dirs: string[], options: { split: string }, command: Command) => {
      const output = command.configureOutput();
      let table: string;
      try {
        table = await runCompare(dirs, options.split, (line) => output.writeErr?.(`${line}\n`));
      } catch (error) {
        command.error(`error: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`, {
          exitCode: 1,
          code: 'imgcap.compare',
        });
      }
      output.writeOut?.(`${table}\n`);
    });
}
