import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './cli.js';
import { TRAIN_DEFAULTS, type TrainConfig } from './config.js';
import { resolveResumedConfig } from './resume.js';

const parse = (args: string) =>
  parseTrainArgs(args.split(' ').filter(Boolean), (cmd) =>
    cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} }),
  );

function errorOf(args: string): CommanderError {
  try {
    parse(args);
  } catch (error) {
    return error as CommanderError;
  }
  throw new Error(`"${args}" parsed without error`);
}

describe('train flags', () => {
  it("defaults to the seed's flags and values", () => {
    const config = parse('');
    expect(config).toMatchObject({
      seq_length: 36,
      batch_size: 128,
      epochs: 20,
      embed_dim: 512,
      ff_dim: 256,
      enc_heads: 2,
      dec_heads: 4,
      lr: 0.001,
      vocab_size: 10000,
      backbone: 'efficientnet-b1',
      artifact_dir: './local_runs/default_run',
    });
    expect(config).toEqual(TRAIN_DEFAULTS);
  });

  it("accepts the seed's documented example as written, building the seed's architecture", () => {
    const config = parse(
      '--embed_dim 1024 --ff_dim 512 --enc_heads 4 --dec_heads 4 --artifact_dir local_runs/model1_artifacts --epochs 40 --lr 0.001',
    );
    expect(config).toMatchObject({
      arch: 'seed',
      embed_dim: 1024,
      ff_dim: 512,
      enc_heads: 4,
      dec_heads: 4,
      artifact_dir: 'local_runs/model1_artifacts',
      epochs: 40,
      lr: 0.001,
    });
    expect(parse('').arch).toBe('seed');
  });

  it('applies a preset, and explicit flags override it', () => {
    expect(parse('--preset tiny')).toMatchObject({
      preset: 'tiny',
      arch: 'imgcap',
      embed_dim: 128,
      ff_dim: 256,
      enc_heads: 2,
      dec_heads: 2,
    });
    expect(parse('--preset l --ff_dim 64')).toMatchObject({
      arch: 'imgcap',
      embed_dim: 1024,
      ff_dim: 64,
      enc_heads: 4,
    });
  });

  it("the seed-* presets are the seed's W&B runs, epochs and learning rate included", () => {
    expect(parse('--preset seed-s')).toMatchObject({
      arch: 'seed',
      embed_dim: 512,
      ff_dim: 256,
      enc_heads: 2,
      dec_heads: 2,
      epochs: 20,
      lr: 1e-3,
    });
    expect(parse('--preset seed-tiny')).toMatchObject({
      arch: 'seed',
      embed_dim: 256,
      enc_heads: 4,
      dec_heads: 4,
      epochs: 30,
      lr: 1e-4,
    });
    expect(parse('--preset seed-l')).toMatchObject({
      embed_dim: 1028,
      ff_dim: 512,
      enc_heads: 4,
      dec_heads: 4,
      epochs: 10,
      lr: 1e-4,
    });
    expect(parse('--preset seed-lplus')).toMatchObject({ embed_dim: 1256, enc_heads: 4, epochs: 40 });
    // 1028 is not divisible by 6: the seed's heads are each embed_dim wide, so its XL builds.
    expect(parse('--preset seed-xl')).toMatchObject({
      arch: 'seed',
      embed_dim: 1028,
      enc_heads: 6,
      dec_heads: 6,
      epochs: 40,
      lr: 1e-4,
    });
    expect(parse('--preset seed-xl --epochs 2 --arch imgcap --enc_heads 4 --dec_heads 4')).toMatchObject({
      arch: 'imgcap',
      epochs: 2,
      embed_dim: 1028,
    });
  });

  it('names unknown flags and bad values', () => {
    expect(errorOf('--bogus 3').message).toMatch(/unknown option '--bogus'/);
    expect(errorOf('--epochs zero').message).toMatch(/--epochs <n>.*"zero"/);
    expect(errorOf('--lr -1').message).toMatch(/--lr <x>/);
    expect(errorOf('--dataset coco').message).toMatch(
      /--dataset <name>.*coco.*flickr30k, flickr8k, karpathy, synthetic/s,
    );
    expect(errorOf('--preset huge').message).toMatch(/--preset <size>/);
    expect(errorOf('--workers 6').message).toMatch(/--workers <n>.*from 0 to 4, got "6"/);
    expect(errorOf('--feature_engine gpu').message).toMatch(/--feature_engine <name>.*gpu.*auto, tfjs, onnx/s);
    expect(errorOf('--arch imgcap --embed_dim 100 --dec_heads 3').message).toMatch(
      /--embed_dim 100 is not divisible by --dec_heads 3/,
    );
    expect(parse('--embed_dim 100 --dec_heads 3').dec_heads).toBe(3);
    expect(errorOf('--arch keras').message).toMatch(/--arch <name>.*keras.*seed, imgcap/s);
    expect(errorOf('--dropout 0.2').message).toMatch(/--dropout applies to --arch imgcap/);
    expect(parse('--arch imgcap --dropout 0.2').dropout).toBe(0.2);
    expect(errorOf('--resume --overwrite').message).toMatch(/--resume and --overwrite/);
  });

  it('takes the self-critical flags and refuses combinations that cannot train', () => {
    const config = parse('--scst_epochs 2 --scst_baseline greedy --scst_samples 4 --scst_lr 0.00005');
    expect(config).toMatchObject({ scst_epochs: 2, scst_baseline: 'greedy', scst_samples: 4, scst_lr: 0.00005 });
    expect(parse('').scst_epochs).toBe(0);
    expect(errorOf('--scst_baseline best').message).toMatch(/--scst_baseline <kind>.*mean, greedy/s);
    expect(errorOf('--scst_samples 1').message).toMatch(/--scst_samples <n>.*from 2 to 16/);
    expect(errorOf('--epochs 0').message).toMatch(/--epochs 0 needs --scst_epochs/);
    expect(errorOf('--epochs 0 --scst_epochs 1').message).toMatch(/needs --init_from/);
    expect(errorOf('--scst_epochs 1 --val_sample 0').message).toMatch(/needs --val_sample ≥ 1/);
    expect(parse('--epochs 0 --scst_epochs 1 --init_from runs/a').init_from).toBe('runs/a');
  });
});

describe('--resume of a run saved before --arch existed', () => {
  it("keeps training imgcap's network, at the backbone's own image size", () => {
    const { arch: _dropped, ...stored } = { ...TRAIN_DEFAULTS, embed_dim: 64, enc_heads: 2, dec_heads: 2 };
    const resumed = resolveResumedConfig(stored as TrainConfig, { ...TRAIN_DEFAULTS, resume: true });
    expect(resumed.arch).toBe('imgcap');
    expect(resumed.embed_dim).toBe(64);
  });
});

describe('W&B run names', () => {
  it("default to the Keras project's pattern, and --wandb_name overrides it", async () => {
    const { wandbRunName } = await import('./config.js');
    const config = parseTrainArgs(['--embed_dim', '512', '--dec_heads', '2', '--enc_heads', '2', '--epochs', '20']);
    expect(wandbRunName(config, new Date(2026, 3, 13, 12, 26))).toBe('04-13-12:26_model_emd512_DH2_EH2_EPS20_LR0.001');
    expect(parseTrainArgs(['--wandb_name', 'mine']).wandb_name).toBe('mine');
  });

  it('--keras_artifacts: on by default for the seed (undefined), refused with --arch imgcap', () => {
    expect(parse('').keras_artifacts).toBeUndefined();
    expect(parse('--no-keras_artifacts').keras_artifacts).toBe(false);
    expect(parse('--keras_artifacts').keras_artifacts).toBe(true);
    expect(errorOf('--arch imgcap --keras_artifacts').message).toMatch(/--keras_artifacts needs --arch seed/);
  });
});
