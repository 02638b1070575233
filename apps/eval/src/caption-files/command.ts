import { Option, type Command } from 'commander';
import { addModelOptions, integerIn, toModelSettings, type ModelFlags } from '../evaluate/options.js';
import { OUTPUT_FORMATS } from './output.js';
import { runCaptionFiles, type CaptionFilesSettings, type CaptionFilesSummary } from './run.js';
import { COMPLETION_INDEX_ENV, parseShardFlag, SHARD_COUNT_ENV } from './shard.js';

/** The flags exactly as commander stores them: the model's, then caption-files' own (named as in the settings). */
interface CaptionFilesFlags
  extends ModelFlags, Pick<CaptionFilesSettings, 'out' | 'format' | 'resume' | 'errors' | 'shard' | 'shards'> {
  quiet: boolean;
}

function addCaptionFilesOptions(command: Command): Command {
  return addModelOptions(command)
    .requiredOption('--out <file>', 'captions file, .jsonl or .csv; {shard} in it becomes the shard index')
    .addOption(
      new Option('--format <format>', 'output format (default: from the --out extension)').choices(OUTPUT_FORMATS),
    )
    .option('--resume', 'continue an existing --out: keep its rows, caption only the files not in it', false)
    .option('--errors <file>', 'also write skipped files as JSONL {"file","reason"} ({shard} as in --out)')
    .option('--shard <i/N>', 'caption only shard i of N (0-based), chosen by a hash of each path', parseShardFlag)
    .option(
      '--shards <n>',
      `shard count when the index comes from $${COMPLETION_INDEX_ENV} (a Kubernetes Indexed Job); default $${SHARD_COUNT_ENV}`,
      integerIn(1, 1_000_000),
    )
    .option(
      '--quiet',
      'no progress bar: a progress line every 30 s instead (also when stderr is not a terminal)',
      false,
    );
}

function summaryLine(summary: CaptionFilesSummary): string {
  const already = summary.already > 0 ? ` (${summary.already} more already there from an earlier run)` : '';
  const errors = summary.errors && summary.skipped > 0 ? `; skipped files listed in ${summary.errors}` : '';
  return `captioned ${summary.captioned}, skipped ${summary.skipped}, written to ${summary.out}${already}${errors}`;
}

/**
 * Adds `caption-files <inputs...>`: captions image files into a JSONL/CSV file. Progress, skipped files and a
 * summary line go to stderr; stdout gets one JSON line of counts (as `eval` prints one of metrics); errors are one
 * line naming the flag, file or env variable, exit code 1.
 */
export function registerCaptionFilesCommand(program: Command): Command {
  const command = program
    .command('caption-files')
    .description('caption image files, folders and glob patterns into a .jsonl or .csv file')
    .argument('<inputs...>', 'image files, folders (recursive) and quoted glob patterns');
  return addCaptionFilesOptions(command).action(async (inputs: string[], flags: CaptionFilesFlags, cmd: Command) => {
    const output = cmd.configureOutput();
    const log = (line: string) => output.writeErr?.(`${line}\n`);
    const barStream = !flags.quiet && process.stderr.isTTY ? process.stderr : undefined;
    const { out, format, resume, errors, shard, shards } = flags;
    let summary: CaptionFilesSummary;
    try {
      const settings = { ...toModelSettings(flags), inputs, out, format, resume, errors, shard, shards };
      summary = await runCaptionFiles(settings, { log, barStream });
    } catch (error) {
      cmd.error(`error: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`, {
        exitCode: 1,
        code: 'imgcap.caption-files',
      });
    }
    log(summaryLine(summary));
    output.writeOut?.(`${JSON.stringify(summary)}\n`);
  });
}
