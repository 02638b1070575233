import { scoreCaptions, type MetricScores } from '@imgcap/caption-metrics';
import type { Command } from 'commander';
import { parseCandidates, parseReferences, readJsonFile } from './inputs.js';

export interface ScoreRequest {
  /** Path of the references JSON: id → captions map, or Karpathy dataset JSON. */
  references: string;
  /** Path of the candidates JSON: id → caption map, or COCO results list. */
  candidates: string;
  /** Karpathy split to keep (train, val, test, restval); all images when absent. */
  split?: string;
  /** Lowercase and strip punctuation as pycocoevalcap's PTB tokenizer does (default true). */
  tokenize?: boolean;
}

/** Corpus BLEU-1..4, ROUGE-L and CIDEr-D of a candidates file against a references file. */
export async function runScore(request: ScoreRequest): Promise<MetricScores> {
  const tokenize = request.tokenize ?? true;
  const [referencesJson, candidatesJson] = await Promise.all([
    readJsonFile(request.references),
    readJsonFile(request.candidates),
  ]);
  const references = parseReferences(referencesJson, request.references, request.split, tokenize);
  const candidates = parseCandidates(candidatesJson, request.candidates);
  return scoreCaptions(references, candidates, { tokenize }).corpus;
}

/** Adds `score`: prints one JSON line of corpus scores, or one error line and a non-zero exit code. */
export function registerScoreCommand(program: Command): Command {
  return program
    .command('score')
    .description('score candidate captions against references as pycocoevalcap does (BLEU-1..4, ROUGE-L, CIDEr-D)')
    .requiredOption('--references <file>', 'references JSON: { "<id>": ["caption", …] } or a Karpathy dataset JSON')
    .requiredOption(
      '--candidates <file>',
      'candidates JSON: { "<id>": "caption" } or COCO results [{ image_id, caption }]',
    )
    .option('--split <name>', 'only the images of this Karpathy split (train, val, test, restval)')
    .option('--no-tokenize', 'captions are already tokenized: score them exactly as given')
    .action(
      async (
        options: Required<Pick<ScoreRequest, 'references' | 'candidates' | 'tokenize'>> & ScoreRequest,
        command: Command,
      ) => {
        let scores: MetricScores;
        try {
          scores = await runScore(options);
        } catch (error) {
          command.error(`error: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`, {
            exitCode: 1,
            code: 'imgcap.score',
          });
        }
        command.configureOutput().writeOut?.(`${JSON.stringify(scores)}\n`);
      },
    );
}
