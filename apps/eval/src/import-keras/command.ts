import { importKerasCaptioner } from '@imgcap/captioner/keras';
import { BACKEND_CHOICES, selectBackend, type BackendChoice } from '@imgcap/tf-runtime';
import { Option, type Command } from 'commander';

interface ImportFlags {
  weights: string;
  config: string;
  tokenizer: string;
  out: string;
  backend?: BackendChoice;
}

/**
 * Adds `import-keras`: the Keras project's trained model (its `save_weights` .h5, `trial_config.json` and
 * `tokenizer.keras`) → an imgcap bundle of the seed architecture that eval, serve and the ONNX engine use.
 */
export function registerImportKerasCommand(program: Command): Command {
  return program
    .command('import-keras')
    .description(
      "turn the Keras project's trained model (.h5 weights, trial_config.json, tokenizer.keras) into a caption bundle (--arch seed), no Python needed",
    )
    .requiredOption(
      '--weights <file.h5>',
      "the model's weights, as its training script saved them (model.save_weights)",
    )
    .requiredOption('--config <trial_config.json>', 'the trial_config.json written next to them')
    .requiredOption('--tokenizer <tokenizer.keras>', 'the TextVectorization saved with the model')
    .requiredOption('--out <dir>', 'bundle directory to write (replaced whole, only once everything mapped)')
    .addOption(
      new Option('--backend <name>', 'tfjs backend (default: $IMGCAP_BACKEND, else the best available)').choices(
        BACKEND_CHOICES,
      ),
    )
    .action(async (flags: ImportFlags, command: Command) => {
      try {
        await selectBackend({ backend: flags.backend, log: (line) => process.stderr.write(`${line}\n`) });
        const { config, tokenizer } = await importKerasCaptioner(flags, flags.out);
        command
          .configureOutput()
          .writeOut?.(
            `${JSON.stringify({ bundle: flags.out, arch: config.arch, backbone: config.backbone, embed_dim: config.embedDim, ff_dim: config.ffDim, enc_heads: config.encHeads, dec_heads: config.decHeads, seq_length: config.seqLength, vocabulary: tokenizer.vocabSize })}\n`,
          );
      } catch (error) {
        command.error(`error: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`, {
          exitCode: 1,
          code: 'imgcap.importKeras',
        });
      }
    });
}
