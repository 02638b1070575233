import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseTrainArgs } from './cli.js';
import { TRAIN_DEFAULTS } from './config.js';

const parse = (args: string) =>
  parseTrainArgs(args.split(' ').filter(Boolean), (cmd) => cmd.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} }));

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
    expect(config).toMatchObject({ seq_length: 36, batch_size: 128, epochs: 20, embed_dim: 512, ff_dim: 256, enc_heads: 2, dec_heads: 4, lr: 0.001, vocab_size: 10000, backbone: 'efficientnet-b1', artifact_dir: './local_runs/default_run' });
    expect(config).toEqual(TRAIN_DEFAULTS);
  });

  it("accepts the seed's documented example as written", () => {
    const config = parse('--embed_dim 1024 --ff_dim 512 --enc_heads 4 --dec_heads 4 --artifact_dir local_runs/model1_artifacts --epochs 40 --lr 0.001');
    expect(config).toMatchObject({ embed_dim: 1024, ff_dim: 512, enc_heads: 4, dec_heads: 4, artifact_dir: 'local_runs/model1_artifacts', epochs: 40, lr: 0.001 });
  });

  it('applies a preset, and explicit shape flags override it', () => {
    expect(parse('--preset tiny')).toMatchObject({ preset: 'tiny', embed_dim: 128, ff_dim: 256, enc_heads: 2, dec_heads: 2 });
    expect(parse('--preset l --ff_dim 64')).toMatchObject({ embed_dim: 1024, ff_dim: 64, enc_heads: 4 });
  });

  it('names unknown flags and bad values', () => {
    expect(errorOf('--bogus 3').message).toMatch(/unknown option '--bogus'/);
    expect(errorOf('--epochs zero').message).toMatch(/--epochs <n>.*"zero"/);
    expect(errorOf('--lr -1').message).toMatch(/--lr <x>/);
    expect(errorOf('--dataset coco').message).toMatch(/--dataset <name>.*coco.*flickr30k, flickr8k, karpathy, synthetic/s);
    expect(errorOf('--preset huge').message).toMatch(/--preset <size>/);
    expect(errorOf('--workers 6').message).toMatch(/--workers <n>.*from 0 to 4, got "6"/);
    expect(errorOf('--feature_engine gpu').message).toMatch(/--feature_engine <name>.*gpu.*auto, tfjs, onnx/s);
    expect(errorOf('--embed_dim 100 --dec_heads 3').message).toMatch(/--embed_dim 100 is not divisible by --dec_heads 3/);
    expect(errorOf('--resume --overwrite').message).toMatch(/--resume and --overwrite/);
  });
});
