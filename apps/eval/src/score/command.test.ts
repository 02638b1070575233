import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildEvalProgram } from '../cli.js';
import { runScore } from './command.js';

async function writeJsonFiles(files: Record<string, unknown>): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'imgcap-score-'));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    await writeFile(paths[name], typeof content === 'string' ? content : JSON.stringify(content));
  }
  return paths;
}

/** Runs `eval <args>` in-process and collects what it prints and how it ends. */
async function runEval(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const program = buildEvalProgram({
    output: { writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) },
    exitOverride: true,
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { stdout, stderr, exitCode: error.exitCode };
  }
}

// The published COCOEvalCap run also used in caption-metrics' tests: BLEU-1 ≈ 1, BLEU-2 = 1/√3, CIDEr 10/3, ROUGE-L 0.75.
const REFERENCES = { a: ['am i a boy ?'], b: ['is she a girl ?'] };
const CANDIDATES = [
  { image_id: 'a', caption: 'i am a boy' },
  { image_id: 'b', caption: 'she is a girl' },
];

describe('eval score', () => {
  it('prints one JSON line with the six corpus metrics, in order', async () => {
    const files = await writeJsonFiles({ 'R.json': REFERENCES, 'C.json': CANDIDATES });
    const { stdout, exitCode } = await runEval([
      'score',
      '--references',
      files['R.json'],
      '--candidates',
      files['C.json'],
    ]);
    expect(exitCode).toBe(0);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const scores = JSON.parse(stdout);
    expect(Object.keys(scores)).toEqual(['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'ROUGE-L', 'CIDEr-D']);
    expect(scores['BLEU-2']).toBeCloseTo(1 / Math.sqrt(3), 9);
    expect(scores['ROUGE-L']).toBeCloseTo(0.75, 12);
    expect(scores['CIDEr-D']).toBeCloseTo(10 / 3, 12);
  });

  it('exits non-zero with one line naming the ids only one file has', async () => {
    const files = await writeJsonFiles({ 'R.json': { ...REFERENCES, c: ['x'] }, 'C.json': CANDIDATES });
    const { stdout, stderr, exitCode } = await runEval([
      'score',
      '--references',
      files['R.json'],
      '--candidates',
      files['C.json'],
    ]);
    expect(exitCode).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toBe('error: image ids differ between references and candidates: no candidate for "c"\n');
  });

  it('exits non-zero with one line naming a malformed file', async () => {
    const files = await writeJsonFiles({ 'R.json': REFERENCES, 'C.json': '[{"image_id": "a",' });
    const { stderr, exitCode } = await runEval([
      'score',
      '--references',
      files['R.json'],
      '--candidates',
      files['C.json'],
    ]);
    expect(exitCode).not.toBe(0);
    expect(stderr).toMatch(new RegExp(`^error: ${files['C.json']} is not valid JSON: [^\\n]*\\n$`));
  });

  it('passes --split and --no-tokenize through to the scoring', async () => {
    const karpathy = {
      images: [
        { filename: '1.jpg', split: 'test', sentences: [{ raw: 'A dog runs .', tokens: ['a', 'dog', 'runs'] }] },
        { filename: '2.jpg', split: 'test', sentences: [{ raw: 'A cat .', tokens: ['a', 'cat'] }] },
        { filename: '3.jpg', split: 'train', sentences: [{ raw: 'Ignored .', tokens: ['ignored'] }] },
      ],
    };
    const files = await writeJsonFiles({ 'K.json': karpathy, 'C.json': { '1.jpg': 'A dog runs .', '2.jpg': 'a cat' } });
    const request = { references: files['K.json'], candidates: files['C.json'], split: 'test' };
    // Tokenized, "A dog runs ." equals the reference: every caption matches exactly.
    expect((await runScore(request))['BLEU-1']).toBeCloseTo(1, 8);
    // Without --split the train image has no candidate.
    await expect(runScore({ ...request, split: undefined })).rejects.toThrow('no candidate for "3.jpg"');
    // --no-tokenize scores the strings as given against the Karpathy tokens: "A" and "." match nothing, so 4 of
    // 6 candidate words match (6 ≥ 5 reference words, no brevity penalty).
    const args = ['score', '--references', files['K.json'], '--candidates', files['C.json'], '--split', 'test'];
    const { stdout } = await runEval([...args, '--no-tokenize']);
    expect(JSON.parse(stdout)['BLEU-1']).toBeCloseTo(4 / 6, 8);
  });
});
