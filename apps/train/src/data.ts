import {
  captionExamples,
  describeDataset,
  filterCaptions,
  loadDataset,
  type CaptionExample,
  type Dataset,
  type DatasetReport,
  type ImageRecord,
  type Split,
} from '@imgcap/flickr-dataset';
import { countModelParameters } from '@imgcap/captioner/model';
import { adaptTextVectorization, WordTokenizer, type CaptionTokenizer } from '@imgcap/tokenizer';
import { backboneSummary } from '@imgcap/vision-backbone';
import { backboneSpecOf } from './backbone.js';
import { modelConfigOf } from './model-config.js';
import type { TrainConfig } from './config.js';

/** Everything the loop needs from the data, and what happened on the way (reported, never hidden). */
export interface PreparedData {
  dataset: Dataset;
  report: DatasetReport;
  filteredCaptions: number;
  /** Captions with no word left after standardization, dropped. */
  emptyCaptions: number;
  imagesWithoutCaptions: number;
  tokenizer: CaptionTokenizer;
  images: Record<Split, ImageRecord[]>;
  examples: Record<Split, CaptionExample[]>;
}

/**
 * Loads the dataset, drops captions that do not fit `seq_length`, and fits the vocabulary on the
 * training split only (so validation and test words the model never saw count as unknown).
 */
export async function prepareData(config: TrainConfig, tokenizer?: CaptionTokenizer): Promise<PreparedData> {
  const { dataset: raw } = await loadDataset({
    dataset: config.dataset,
    dataDir: config.data_dir,
    splitFile: config.split_file,
    seed: config.seed,
    maxImages: config.max_images,
  });
  const filtered = filterCaptions(raw, config.seq_length);
  const dataset = filtered.dataset;
  const images = { train: [], val: [], test: [] } as Record<Split, ImageRecord[]>;
  for (const image of dataset.images) images[image.split].push(image);
  const fitted = tokenizer ?? fitVocabulary(config, images.train);
  const examples = {
    train: captionExamples(images.train, fitted, config.seq_length),
    val: captionExamples(images.val, fitted, config.seq_length),
    test: captionExamples(images.test, fitted, config.seq_length),
  };
  return {
    dataset,
    report: describeDataset(raw),
    filteredCaptions: filtered.filteredCaptions,
    emptyCaptions: filtered.emptyCaptions,
    imagesWithoutCaptions: filtered.imagesWithoutCaptions.length,
    tokenizer: fitted,
    images,
    examples,
  };
}

/**
 * The vocabulary, fitted on the training captions. `--arch seed` learns it exactly as the Keras project's
 * `TextVectorization(max_tokens=vocab_size, output_sequence_length=seq_length).adapt()` on its captions wrapped
 * `"<start> " + caption + " <end>"` (so `tokenizer.keras` goes back to Keras unchanged); `--arch imgcap` uses imgcap's
 * WordTokenizer, whose markers are reserved ids rather than words.
 */
function fitVocabulary(config: TrainConfig, train: ImageRecord[]): CaptionTokenizer {
  const captions = train.flatMap((image) => image.captions);
  if (config.arch !== 'seed') return WordTokenizer.fit(captions, { vocabSize: config.vocab_size });
  return adaptTextVectorization(
    captions.map((caption) => `<start> ${caption} <end>`),
    { maxTokens: config.vocab_size, outputSequenceLength: config.seq_length },
  );
}

/** The `--dry-run` summary: one JSON object. */
export function dryRunSummary(config: TrainConfig, data: PreparedData): Record<string, unknown> {
  return {
    dataset: config.dataset,
    data_dir: config.data_dir,
    images: data.report.images,
    captions: data.report.captions,
    splits: data.report.splits,
    captions_per_split: data.report.captionsPerSplit,
    split_source: data.report.splitSource,
    recovered_rows: data.report.recoveredRows,
    unsplit_images: data.report.unsplitImages,
    filtered_captions: data.filteredCaptions,
    empty_captions: data.emptyCaptions,
    images_without_captions: data.imagesWithoutCaptions,
    vocab_size: data.tokenizer.vocabSize,
    train_examples: data.examples.train.length,
    ...modelSummary(config, data.tokenizer.vocabSize),
  };
}

/**
 * The network `config` builds, counted without allocating it: architecture, backbone and input size, and the
 * parameters of encoder, decoder (as the seed's `model.summary()` splits them) and the frozen backbone.
 */
export function modelSummary(config: TrainConfig, vocabSize: number): Record<string, unknown> {
  const backbone = backboneSummary(backboneSpecOf(config));
  const counts = backbone.featureShape
    ? countModelParameters(modelConfigOf(config, vocabSize, { ...backbone, featureShape: backbone.featureShape }))
    : null; // a backbone cut at an inner layer: its channels are known once it is built
  return {
    arch: config.arch,
    backbone: backbone.id,
    image_size: backbone.imageSize,
    feature_shape: backbone.featureShape,
    encoder_parameters: counts?.encoder ?? null,
    decoder_parameters: counts?.decoder ?? null,
    backbone_parameters: backbone.parameters,
    total_parameters: counts ? counts.encoder + counts.decoder + backbone.parameters : null,
  };
}
