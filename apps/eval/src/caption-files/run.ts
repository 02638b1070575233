import { resolve } from 'node:path';
import { locateCaptionBundle } from '@imgcap/captioner/bundle';
import { captionBatches, type CaptionedBatch, type ImageSource } from '../evaluate/caption-split.js';
import { decodingOf, loadModel } from '../evaluate/load-model.js';
import type { ModelSettings } from '../evaluate/options.js';
import { listInputs, type InputFile } from './inputs.js';
import { formatRows, outputFormat, type OutputFormat } from './output.js';
import { createCaptionProgress } from './progress.js';
import { fillShard, resolveShard, shardOf, type Shard } from './shard.js';
import { openErrorsFile, prepareOutput, type LineSink } from './sink.js';

/** Everything `eval caption-files` needs; the model flags are `eval`'s own (`addModelOptions`). */
export interface CaptionFilesSettings extends ModelSettings {
  /** Files, folders and glob patterns. */
  inputs: string[];
  /** Output file; `{shard}` is replaced by the shard index. */
  out: string;
  /** Absent: from the extension of `out`. */
  format?: OutputFormat;
  resume: boolean;
  /** JSONL of skipped files; `{shard}` as in `out`. */
  errors?: string;
  /** `--shard i/N`. */
  shard?: Shard;
  /** `--shards N`, with the index from JOB_COMPLETION_INDEX. */
  shards?: number;
}

export interface CaptionFilesIo {
  /** Progress and skipped files (stderr in the CLI). */
  log: (line: string) => void;
  /** Where JOB_COMPLETION_INDEX and IMGCAP_SHARD_COUNT are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Draw a progress bar on this stream (a terminal); absent: periodic lines through `log`. */
  barStream?: NodeJS.WriteStream;
}

export interface CaptionFilesSummary {
  /** Rows written by this run. */
  captioned: number;
  /** Unreadable files of this run, reported and left out. */
  skipped: number;
  /** Files already in the output from an earlier run (`--resume`), not captioned again. */
  already: number;
  /** Files this run was responsible for: all of them, or this shard's. */
  files: number;
  out: string;
  format: OutputFormat;
  errors?: string;
  /** `i/N` when sharded. */
  shard?: string;
}

interface Sinks {
  format: OutputFormat;
  out: LineSink;
  errors?: LineSink;
}

/** Appends one batch: its rows to the output, its skipped files to --errors. */
async function writeBatch(sinks: Sinks, batch: CaptionedBatch<ImageSource>): Promise<void> {
  const rows = batch.captioned.map(({ record, result }) => ({
    file: record.id,
    caption: result.caption,
    score: result.score,
  }));
  await sinks.out.append(formatRows(sinks.format, rows));
  await sinks.errors?.append(
    batch.skipped.map(({ id, reason }) => `${JSON.stringify({ file: id, reason })}\n`).join(''),
  );
}

/** Captions `todo` with eval's model loading and batch loop, writing each batch as it completes. */
async function captionInto(
  todo: readonly InputFile[],
  settings: CaptionFilesSettings,
  bundleDir: string,
  sinks: Sinks,
  io: CaptionFilesIo,
): Promise<{ captioned: number; skipped: number }> {
  const { captioner, engine, search } = await loadModel(settings, bundleDir, io.log);
  const counts = { captioned: 0, skipped: 0 };
  try {
    io.log(
      `captioning ${todo.length} files with ${bundleDir} on ${engine} (${decodingOf(search).text}, batches of ${settings.batchSize})`,
    );
    const progress = createCaptionProgress({ total: todo.length, barStream: io.barStream, log: io.log });
    const records = todo.map(({ file, path }) => ({ id: file, path }));
    try {
      const options = { search, batchSize: settings.batchSize, log: (line: string) => progress.log(line) };
      for await (const batch of captionBatches(captioner, records, options)) {
        await writeBatch(sinks, batch);
        counts.captioned += batch.captioned.length;
        counts.skipped += batch.skipped.length;
        progress.update(counts.captioned + counts.skipped);
      }
    } finally {
      progress.stop();
    }
    return counts;
  } finally {
    captioner.dispose();
  }
}

/** The files this process is responsible for: all of them, or those whose key hashes to its shard. */
async function filesOfShard(settings: CaptionFilesSettings, shard: Shard | undefined, io: CaptionFilesIo) {
  const listed = await listInputs(settings.inputs, { log: io.log });
  if (!shard) return listed;
  const mine = listed.filter((file) => shardOf(file.key, shard.count) === shard.index);
  io.log(`shard ${shard.index}/${shard.count} (${shard.source}): ${mine.length} of ${listed.length} files`);
  return mine;
}

/**
 * `eval caption-files`: captions every image the inputs name (this shard's, when sharded) into one JSONL or CSV
 * file, a batch at a time; unreadable files are reported and skipped; `--resume` continues an interrupted output.
 * Everything that can be refused (flags, env, inputs, an existing output) is checked before the model loads.
 */
export async function runCaptionFiles(
  settings: CaptionFilesSettings,
  io: CaptionFilesIo,
): Promise<CaptionFilesSummary> {
  const shard = resolveShard(settings, io.env ?? process.env);
  const out = fillShard(settings.out, shard);
  const format = outputFormat(out, settings.format);
  const errorsPath = settings.errors === undefined ? undefined : fillShard(settings.errors, shard);
  if (errorsPath !== undefined && resolve(errorsPath) === resolve(out)) {
    throw new Error(`--errors ${errorsPath} is the --out file; name another file`);
  }
  const { bundleDir } = await locateCaptionBundle(settings.model);
  const mine = await filesOfShard(settings, shard, io);
  const output = await prepareOutput(out, format, { resume: settings.resume, log: io.log });
  const sinks: Sinks = { format, out: output.sink };
  try {
    if (errorsPath !== undefined) sinks.errors = await openErrorsFile(errorsPath);
    const todo = mine.filter((file) => !output.done.has(file.file));
    const already = mine.length - todo.length;
    if (settings.resume && already > 0) io.log(`resuming ${out}: ${already} files already in it, ${todo.length} to go`);
    const counts =
      todo.length > 0 ? await captionInto(todo, settings, bundleDir, sinks, io) : { captioned: 0, skipped: 0 };
    const shardName = shard && `${shard.index}/${shard.count}`;
    return { ...counts, already, files: mine.length, out, format, errors: errorsPath, shard: shardName };
  } finally {
    await Promise.all([sinks.out.close(), sinks.errors?.close()]);
  }
}
