import { join } from 'node:path';
import { searchTokensOf } from '@imgcap/captioner/generation';
import { loadModelWeights } from '@imgcap/captioner/bundle';
import { deriveSeed, mulberry32, shuffleInPlace } from '@imgcap/flickr-dataset';
import type { LoopState } from '../checkpoints.js';
import type { LoopIO, PhaseEpoch, PhaseStep } from '../phases.js';
import { prefetch } from '../prefetch.js';
import type { TrainingSession } from '../session.js';
import { validate } from '../validate.js';
import { ScstRewards } from './rewards.js';
import { scstStep } from './step.js';

/** Keeps sample draws apart from the batch order, which uses the same run seed. */
const SAMPLE_STREAM = 0x5c57;

/**
 * The self-critical phase: rewards over the training split, and per epoch its image batches. Its first epoch starts
 * from the best cross-entropy weights and records their validation CIDEr-D as the best to beat. The rewards (every
 * training reference's n-grams) are built when the phase first runs, not held through the cross-entropy epochs.
 */
export function scstPhase(session: TrainingSession, io: LoopIO) {
  const { data, config } = session;
  const images = scstImages(config);
  const batches = Math.ceil(data.images.train.length / images);
  let rewards: ScstRewards | undefined;
  return {
    async steps(state: LoopState): Promise<PhaseEpoch> {
      if (!rewards) {
        io.log(
          `self-critical training: ${config.scst_samples} samples per image (temperature ${config.scst_temperature}), ` +
            `baseline ${config.scst_baseline}, ${images} images per step, lr ${scstLr(config).toPrecision(3)}`,
        );
        rewards = new ScstRewards(data.images.train, data.tokenizer);
      }
      if (state.best?.metric !== 'cider') await startScst(session, io, state);
      return { split: 'scst', batches, each: scstEpochSteps(session, rewards, state) };
    },
  };
}

/** --scst_images, else as many images as make about --batch_size rows (images × samples). */
export function scstImages(config: TrainingSession['config']): number {
  return config.scst_images > 0 ? config.scst_images : Math.max(1, Math.round(config.batch_size / config.scst_samples));
}

/** --scst_lr, else a tenth of the cross-entropy rate: the policy gradient is noisy and starts from a trained model. */
export function scstLr(config: TrainingSession['config']): number {
  return config.scst_lr ?? config.lr / 10;
}

async function* scstEpochSteps(
  session: TrainingSession,
  rewards: ScstRewards,
  state: LoopState,
): AsyncGenerator<PhaseStep> {
  const { config, data, store, model, trainer } = session;
  const order = shuffleInPlace(
    data.images.train.map((image) => image.id),
    mulberry32(deriveSeed(config.seed, state.epoch)),
  );
  const tokens = searchTokensOf(data.tokenizer);
  const settings = {
    samples: config.scst_samples,
    temperature: config.scst_temperature,
    baseline: config.scst_baseline,
  };
  const perStep = scstImages(config);
  async function* batches() {
    for (let start = state.batchInEpoch * perStep; start < order.length; start += perStep) {
      const imageIds = order.slice(start, start + perStep);
      yield { imageIds, features: await store.featuresFor(imageIds) };
    }
  }
  // The next batch's features are read while this step runs, as in cross-entropy epochs.
  for await (const batch of prefetch(batches())) {
    yield {
      examples: batch.imageIds.length * config.scst_samples,
      lr: scstLr(config),
      run: async () => {
        // Seeded by the step it runs at, so a resumed run draws what the uninterrupted one drew.
        const sampleSeed = deriveSeed(deriveSeed(config.seed, SAMPLE_STREAM), state.globalStep);
        const r = await scstStep(model, trainer, rewards, batch, tokens, { ...settings, sampleSeed });
        return { loss: r.loss, reward: r.reward, baseline: r.baseline };
      },
    };
  }
}

/** Restores the best cross-entropy weights (when there are any) and takes their validation CIDEr-D as the bar. */
async function startScst(session: TrainingSession, io: LoopIO, state: LoopState): Promise<void> {
  const { config, trainer, model, data, store, checkpoints } = session;
  const best = await checkpoints.best();
  if (best) {
    await loadModelWeights(model, join(best.dir, 'bundle', 'model'));
    io.log(`self-critical training starts from the best cross-entropy weights (epoch ${best.state.epoch})`);
  }
  const v = await validate(trainer, model, data.tokenizer, session.held, store, config.batch_size);
  io.log(`before self-critical training: val CIDEr-D ${v.cider.toFixed(3)} BLEU-4 ${v.bleu4.toFixed(3)}`);
  state.best = { value: v.cider, step: state.globalStep, epoch: state.epoch - 1, metric: 'cider' };
  state.epochsWithoutImprovement = 0;
  await checkpoints.save(state, session.writeCheckpoint, { best: true });
}
