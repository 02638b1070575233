import { join } from 'node:path';
import { loadModelWeights } from '@imgcap/captioner/bundle';
import type { LoopState } from './checkpoints.js';
import { writeKerasArtifacts } from './keras-artifacts.js';
import type { TrainConfig } from './config.js';
import { EXIT, trainEpochs } from './loop.js';
import { writeRunReport } from './report.js';
import { openSession, type TrainingSession } from './session.js';

export { EXIT } from './loop.js';

export interface TrainingIO {
  log: (message: string) => void;
  /** Test hook: called after every optimizer step with the step's loss. */
  onStep?: (step: number, loss: number) => void;
}

const defaultIO: TrainingIO = { log: (message) => process.stderr.write(`${message}\n`) };

/** A run, as nanoGPT reads: set up (run, data, features, model), the epochs of steps, then the final bundle. */
export async function runTraining(cliConfig: TrainConfig, io: TrainingIO = defaultIO): Promise<number> {
  const started = performance.now();
  const session = await openSession(cliConfig, io.log);
  const interrupts = watchInterrupts(io.log);
  try {
    let firstStep = true;
    const onStep = (step: number, loss: number) => {
      // How long set-up took, where a user (and the cached-start rehearsal) can read it.
      if (firstStep) {
        const rss = (process.resourceUsage().maxRSS / 1024 ** 2).toFixed(2);
        io.log(
          `first step done ${((performance.now() - started) / 1000).toFixed(1)} s after start (peak RSS ${rss} GiB)`,
        );
      }
      firstStep = false;
      io.onStep?.(step, loss);
    };
    const { code, state } = await trainEpochs(session, { ...io, onStep, isInterrupted: interrupts.received });
    if (code !== EXIT.ok) return code;
    await finishRun(session, state, (performance.now() - started) / 1000, io.log);
    return EXIT.ok;
  } finally {
    interrupts.stop();
    await session.close();
  }
}

/** SIGINT/SIGTERM ask the loop to checkpoint after its current step and stop, instead of killing the process. */
function watchInterrupts(log: (message: string) => void) {
  let received = false;
  const onSignal = () => {
    received = true;
    log('interrupt: finishing the current step and saving a checkpoint…');
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    received: () => received,
    stop: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The best checkpoint's weights become the run's bundle; the report records what the run did. */
async function finishRun(session: TrainingSession, state: LoopState, wall: number, log: (message: string) => void) {
  const { run, config, data, store, model, tracker, checkpoints } = session;
  const best = await checkpoints.best();
  if (best) {
    await loadModelWeights(model, join(best.dir, 'bundle', 'model'));
    const measure = best.state.best?.metric === 'cider' ? 'val CIDEr-D' : 'val loss';
    log(`restored the best weights (step ${best.state.globalStep}, ${measure} ${best.state.best?.value.toFixed(4)})`);
  }
  const bestMetric = state.best?.metric === 'cider' ? 'best_val_cider' : 'best_val_loss';
  await session.saveFinalBundle({ [bestMetric]: state.best?.value ?? null });
  const dataFacts = {
    filtered_captions: data.filteredCaptions,
    empty_captions: data.emptyCaptions,
    skipped_images: store.skipped.map((s) => `${s.id}: ${s.reason}`),
    damaged_cache_entries: store.stats.damaged,
  };
  const { examplesSeen } = state;
  const sample = session.held.sample;
  await writeRunReport({
    run,
    config,
    wall,
    examplesSeen,
    model,
    tokenizer: data.tokenizer,
    store,
    sample,
    tracker,
    dataFacts,
  });
  log(`done: bundle at ${join(run.dir, 'bundle')}, report at ${run.paths.report}`);
  if (config.keras_artifacts ?? config.arch === 'seed') {
    const images = data.images.train.length + data.images.val.length + data.images.test.length;
    const valFraction = images > 0 ? data.images.val.length / images : 0;
    const written = await writeKerasArtifacts({ run, config, model, tokenizer: data.tokenizer, valFraction }, log);
    log(`keras artifacts (the Keras project loads these): ${Object.values(written).join(', ')}`);
  }
  const upload = await session.wandbUploadCommand();
  // @wandb/sdk (JavaScript) cannot upload artifacts; W&B's own CLI does it, as the Keras project's run did.
  if (upload) log(`W&B: upload the bundle as a model artifact with W&B's CLI (pip install wandb):\n  ${upload}`);
}
