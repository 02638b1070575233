import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';

/** Which slice of the files this process captions: the files whose key hashes to `index` mod `count`. */
export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
  /** Where the shard came from, for messages: `--shard`, or the env variables. */
  source: string;
}

/** Kubernetes sets it in every pod of an Indexed Job: the pod's completion index, 0 … completions − 1. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** Kubernetes does not put the completion count in the pod's env, so the Job's manifest sets this to it. */
export const SHARD_COUNT_ENV = 'IMGCAP_SHARD_COUNT';

const MAX_SHARDS = 1_000_000;

/** commander parser of `--shard i/N`; a bad value is an error commander reports naming the flag. */
export function parseShardFlag(value: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > MAX_SHARDS || index >= count) {
    throw new InvalidArgumentError('must be i/N with 0 ≤ i < N (0-based), e.g. 0/4 … 3/4.');
  }
  return { index, count, source: '--shard' };
}

function envInteger(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(raw) || Number(raw) < min || Number(raw) > MAX_SHARDS) {
    throw new Error(`env ${name}=${raw} is not an integer from ${min} to ${MAX_SHARDS}`);
  }
  return Number(raw);
}

/**
 * The shard to caption: `--shard i/N` wins; otherwise a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` with the
 * count from `--shards N` or `IMGCAP_SHARD_COUNT`; neither: no sharding (undefined). Half a setting (an index with
 * no count, a count with no index) is an error, because guessing would make every pod caption everything.
 */
export function resolveShard(flags: { shard?: Shard; shards?: number }, env: NodeJS.ProcessEnv): Shard | undefined {
  if (flags.shard) {
    if (flags.shards !== undefined) throw new Error('pass either --shard i/N or --shards N, not both');
    return flags.shard;
  }
  const index = envInteger(env, COMPLETION_INDEX_ENV, 0);
  const envCount = envInteger(env, SHARD_COUNT_ENV, 1);
  const count = flags.shards ?? envCount;
  const countSource = flags.shards !== undefined ? '--shards' : SHARD_COUNT_ENV;
  if (index === undefined && count === undefined) return undefined;
  if (index === undefined) {
    throw new Error(
      `${countSource} ${count} needs ${COMPLETION_INDEX_ENV} (set in the pods of a Kubernetes Indexed Job) to know which shard this is; outside Kubernetes pass --shard i/N`,
    );
  }
  if (count === undefined) {
    throw new Error(
      `${COMPLETION_INDEX_ENV}=${index} is set but the shard count is not: pass --shards N or set ${SHARD_COUNT_ENV} to the Job's completions (or --shard i/N)`,
    );
  }
  if (index >= count) {
    throw new Error(
      `${COMPLETION_INDEX_ENV}=${index} is not below the shard count ${count} (${countSource}): the Job's completions and ${countSource} must be equal`,
    );
  }
  return { index, count, source: `${COMPLETION_INDEX_ENV} and ${countSource}` };
}

/**
 * The shard a file belongs to: the first 48 bits of SHA-1 of its key (its path relative to its input root) mod
 * `count`. A pure function of the key, so every pod computes the same assignment with no coordinator and whatever
 * order it listed the files in. SHA-1 rather than a short hash such as FNV-1a, whose low bits are poorly mixed:
 * for an even `count` FNV-1a's parity is just the parity of the key's bytes.
 */
export function shardOf(key: string, count: number): number {
  return createHash('sha1').update(key, 'utf8').digest().readUIntBE(0, 6) % count;
}

/** `template` with every `{shard}` replaced by the shard's index (0 when not sharded). */
export function fillShard(template: string, shard: Shard | undefined): string {
  return template.replaceAll('{shard}', String(shard?.index ?? 0));
}
