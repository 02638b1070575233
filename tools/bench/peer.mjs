// The PyTorch peer (../shared/peer/torch_captioner.py) timed in the same run, so training speed is reported as a
// ratio on one machine at one moment: Debian's python3-torch (apt-get install -y python3-torch
// libopenblas0-pthread), one thread per core, on the decoder group's shapes that name a peer case.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DECODER_CASES } from './decoder.mjs';
import { round } from './measure.mjs';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** Where CI and the dev machine keep the peer: beside the clone. IMGCAP_TORCH_PEER overrides. */
export const DEFAULT_PEER_SCRIPT = join(REPO_ROOT, '..', 'shared', 'peer', 'torch_captioner.py');
const PEER_TIMEOUT_MS = 15 * 60_000;

/** Runs the peer once per peer case; `{ available: false, reason }` when it cannot run here (not an error). */
export async function benchPeerGroup({ quick, env = process.env }) {
  const script = env.IMGCAP_TORCH_PEER ?? DEFAULT_PEER_SCRIPT;
  const python = env.IMGCAP_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(script)) return { available: false, reason: `no peer script at ${script}` };
  const threads = availableParallelism();
  const result = { available: true, script, python, threads };
  for (const shape of DECODER_CASES.filter((c) => c.peer)) {
    const args = [script, '--threads', String(threads), '--embed', String(shape.embedDim), '--ff', String(shape.ffDim)];
    args.push('--seq', String(shape.seqLength), '--batch', String(shape.batch), ...(quick ? ['--quick'] : []));
    const run = spawnSync(python, args, { encoding: 'utf8', timeout: PEER_TIMEOUT_MS });
    if (run.status !== 0) {
      const why = (run.stderr || run.error?.message || '').trim().split('\n').pop();
      return { available: false, reason: `${python} ${args.join(' ')} failed: ${why}` };
    }
    result[shape.peer] = { case: shape.key, ...JSON.parse(run.stdout.trim().split('\n').pop()) };
  }
  return result;
}

/**
 * imgcap's training examples/s over the peer's, per peer case, from one report holding both groups: the configuration
 * `train` runs by default (the first one timed) and, on wasm, tfjs's own kernels too.
 */
export function trainRatios(decoder, peer) {
  if (!decoder || !peer?.available) return undefined;
  const ratios = {};
  for (const shape of DECODER_CASES.filter((c) => c.peer && decoder[c.key] && peer[c.peer])) {
    const figures = decoder[shape.key];
    const torch = peer[shape.peer].train_examples_per_s;
    ratios[shape.peer] = { pytorch_examples_per_s: torch };
    for (const [name, value] of Object.entries(figures)) {
      if (value?.examples_per_s) ratios[shape.peer][name] = round(value.examples_per_s.median / torch);
    }
  }
  return ratios;
}
