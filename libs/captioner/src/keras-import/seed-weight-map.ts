// Maps the Keras project's `model.save_weights("….h5")` (Keras 2.13, legacy HDF5) onto the seed architecture's
// weight names. Its subclassed model saves one top-level group per tracked layer — the CNN (a Functional model
// around EfficientNet), the encoder block, the decoder block — and inside the blocks Keras names sublayers
// automatically (`multi_head_attention_3`, `layer_normalization_7`, `dense_12`…), so the names differ between runs.
// Tensors are therefore matched by structure (which sublayer kind, in Keras's order of tracking) and by shape.
import type { KerasLayerWeights, StoredVariable } from '@imgcap/vision-backbone';

/** The four projections of a Keras MultiHeadAttention, by their fixed sublayer names. */
const ATTENTION_PARTS = ['query', 'key', 'value', 'attention_output'] as const;

type PartKind = 'attention' | 'norm' | 'dense' | 'embedding';

/** One sublayer instance of a block: its kind and its variables by local name (`query/kernel`, `gamma`…). */
interface Part {
  kind: PartKind;
  path: string;
  variables: Map<string, StoredVariable>;
}

/** Target name → stored variable, for every weight of the caption model (and, apart, the CNN's by layer/weight). */
export type WeightAssignment = Map<string, StoredVariable>;

const shapeText = (v: StoredVariable) => `[${v.shape.join(', ')}]`;

/** Splits a block's variables into sublayer instances, in the order Keras tracked them. */
function partsOf(group: string, variables: readonly StoredVariable[]): Part[] {
  const parts: Part[] = [];
  for (const variable of variables) {
    const full = (variable.fullName ?? '').replace(/:\d+$/, '').split('/');
    const local = full.slice(1); // the block's own name comes first
    const name = local[local.length - 1] ?? '';
    const parent = local[local.length - 2] ?? '';
    let kind: PartKind;
    let path: string;
    let key: string;
    if ((ATTENTION_PARTS as readonly string[]).includes(parent))
      [kind, path, key] = ['attention', local.slice(0, -2).join('/'), `${parent}/${name}`];
    else if (name === 'gamma' || name === 'beta') [kind, path, key] = ['norm', local.slice(0, -1).join('/'), name];
    else if (name === 'kernel' || name === 'bias') [kind, path, key] = ['dense', local.slice(0, -1).join('/'), name];
    else if (name === 'embeddings') [kind, path, key] = ['embedding', local.slice(0, -1).join('/'), name];
    else
      throw new Error(
        `${group}: tensor '${variable.fullName}' ${shapeText(variable)} is not part of the seed's blocks`,
      );
    let part = parts.find((p) => p.path === path && p.kind === kind);
    if (!part) parts.push((part = { kind, path, variables: new Map() }));
    part.variables.set(key, variable);
  }
  return parts;
}

const ofKind = (parts: Part[], kind: PartKind) => parts.filter((p) => p.kind === kind);

function expectCount(group: string, parts: Part[], kind: PartKind, count: number): Part[] {
  const found = ofKind(parts, kind);
  if (found.length !== count) {
    throw new Error(
      `${group}: expected ${count} ${kind} sublayer(s) as in the seed's block, found ${found.length} (${found.map((p) => p.path).join(', ') || 'none'})`,
    );
  }
  return found;
}

/** Orders `parts` by a key of their shape where that tells them apart, else keeps Keras's tracking order. */
function byShape(parts: Part[], keyOf: (p: Part) => number, wanted: number[]): Part[] {
  const distinct = new Set(wanted).size === wanted.length;
  if (!distinct) return parts;
  return wanted.map((size) => parts.find((p) => keyOf(p) === size) ?? parts[wanted.indexOf(size)]!);
}

function assign(out: WeightAssignment, prefix: string, part: Part): void {
  for (const [key, variable] of part.variables) out.set(`${prefix}/${key}`, variable);
}

/** The encoder block: LayerNorm(C) and LayerNorm(E), Dense(C → E), one self-attention. */
function mapEncoder(
  group: string,
  variables: readonly StoredVariable[],
  channels: number,
  width: number,
  out: WeightAssignment,
): void {
  const parts = partsOf(group, variables);
  const [attention] = expectCount(group, parts, 'attention', 1);
  const norms = byShape(expectCount(group, parts, 'norm', 2), (p) => p.variables.get('gamma')?.shape[0] ?? -1, [
    channels,
    width,
  ]);
  const [projection] = expectCount(group, parts, 'dense', 1);
  expectCount(group, parts, 'embedding', 0);
  assign(out, 'encoder_block/feature_norm', norms[0]!);
  assign(out, 'encoder_block/feature_projection', projection!);
  assign(out, 'encoder_block/self_attention', attention!);
  assign(out, 'encoder_block/self_attention_norm', norms[1]!);
}

/**
 * The decoder block: self- then cross-attention (Keras's tracking order: attention_1, attention_2), three
 * LayerNorms in order, the feed-forward Dense(E → ff), Dense(ff → E) and the vocabulary Dense(E → V) told apart
 * by shape, the token table [V, E] and the position table [seq, E].
 */
function mapDecoder(
  group: string,
  variables: readonly StoredVariable[],
  dims: { width: number; ff: number; vocab: number; seq: number },
  out: WeightAssignment,
): void {
  const parts = partsOf(group, variables);
  const [selfAttention, crossAttention] = expectCount(group, parts, 'attention', 2);
  const [selfNorm, crossNorm, ffNorm] = expectCount(group, parts, 'norm', 3);
  const kernelKey = (p: Part) => {
    const [rows, cols] = p.variables.get('kernel')?.shape ?? [];
    return rows === dims.width && cols === dims.vocab ? 2 : rows === dims.width ? 0 : 1;
  };
  const denses = expectCount(group, parts, 'dense', 3);
  const [intermediate, output, logits] = byShape(denses, kernelKey, [0, 1, 2]);
  const embeddings = byShape(
    expectCount(group, parts, 'embedding', 2),
    (p) => p.variables.get('embeddings')?.shape[0] ?? -1,
    [dims.vocab, dims.seq],
  );
  assign(out, 'decoder_block/self_attention', selfAttention!);
  assign(out, 'decoder_block/self_attention_norm', selfNorm!);
  assign(out, 'decoder_block/cross_attention', crossAttention!);
  assign(out, 'decoder_block/cross_attention_norm', crossNorm!);
  assign(out, 'decoder_block/feedforward_intermediate', intermediate!);
  assign(out, 'decoder_block/feedforward_output', output!);
  assign(out, 'decoder_block/feedforward_norm', ffNorm!);
  assign(out, 'logits', logits!);
  out.set('token_embedding/token_embedding/embeddings', embeddings[0]!.variables.get('embeddings')!);
  out.set('token_embedding/position_embedding/embeddings', embeddings[1]!.variables.get('embeddings')!);
}

/** Which top-level group is which: the CNN holds `stem_conv`, the decoder two attentions, the encoder one. */
export function classifyGroups(layers: KerasLayerWeights): { cnn: string; encoder: string; decoder: string } {
  const attentionCount = (variables: readonly StoredVariable[]) =>
    new Set(
      variables
        .filter((v) => /\/(query|key|value|attention_output)\/(kernel|bias)(:\d+)?$/.test(v.fullName ?? ''))
        .map((v) => v.fullName!.split('/').slice(0, -2).join('/')),
    ).size;
  const found: Partial<Record<'cnn' | 'encoder' | 'decoder', string>> = {};
  for (const [name, variables] of layers) {
    // Weightless layers (the image_aug Sequential) and the model's loss/acc trackers: keras.metrics.Mean is a
    // Layer in Keras 2, so save_weights writes its running total and count as a group of their own.
    if (variables.length === 0 || variables.every((v) => /(^|\/)(total|count)(:\d+)?$/.test(v.fullName ?? '')))
      continue;
    const role = variables.some((v) => /(^|\/)stem_conv\/kernel(:\d+)?$/.test(v.fullName ?? ''))
      ? 'cnn'
      : attentionCount(variables) === 2
        ? 'decoder'
        : attentionCount(variables) === 1
          ? 'encoder'
          : null;
    if (!role)
      throw new Error(
        `top-level group '${name}' is neither the CNN nor an encoder or decoder block of the seed's model`,
      );
    if (found[role]) throw new Error(`two top-level groups look like the ${role}: '${found[role]}' and '${name}'`);
    found[role] = name;
  }
  for (const role of ['cnn', 'encoder', 'decoder'] as const) {
    if (!found[role])
      throw new Error(
        `no ${role} group (found: ${[...layers.keys()].join(', ')}); is this the Keras project's save_weights file?`,
      );
  }
  return found as { cnn: string; encoder: string; decoder: string };
}

export interface SeedDims {
  channels: number;
  width: number;
  ff: number;
  vocab: number;
  seq: number;
}

/** The caption model's weights from the encoder and decoder groups; every tensor of both maps somewhere. */
export function mapSeedCaptionWeights(
  layers: KerasLayerWeights,
  groups: { encoder: string; decoder: string },
  dims: SeedDims,
): WeightAssignment {
  const out: WeightAssignment = new Map();
  mapEncoder(groups.encoder, layers.get(groups.encoder)!, dims.channels, dims.width, out);
  mapDecoder(groups.decoder, layers.get(groups.decoder)!, dims, out);
  return out;
}
