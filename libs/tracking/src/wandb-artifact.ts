/**
 * The Keras project uploaded its trained model directory as a W&B model artifact. `@wandb/sdk` 0.5.1 (the only
 * JavaScript SDK) has no artifact API, and W&B's upload protocol is not ours to re-implement, so a run prints the
 * W&B CLI command that uploads its bundle instead.
 */
export interface WandbArtifactTarget {
  /** The directory to upload (the run's caption bundle). */
  dir: string;
  project: string;
  entity?: string;
  /** Artifact name; characters W&B does not allow in names (`:`, `/`, spaces…) become `-`. */
  name: string;
  /** The W&B run to attach the artifact to, when the run reached W&B. */
  runId?: string;
  type?: string;
  aliases?: readonly string[];
}

/** W&B artifact names allow letters, digits, `-`, `_` and `.`; `:` would be read as an alias separator. */
export function wandbArtifactName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!cleaned) throw new Error(`wandbArtifactName: "${name}" has no character W&B allows in an artifact name`);
  return cleaned;
}

/** `wandb artifact put --name [entity/]project/name --type model [--alias …] [--id run] DIR`, shell-quoted. */
export function wandbArtifactPutCommand(target: WandbArtifactTarget): string {
  const path = [target.entity, target.project, wandbArtifactName(target.name)].filter(Boolean).join('/');
  const args = ['wandb', 'artifact', 'put', '--name', path, '--type', target.type ?? 'model'];
  for (const alias of target.aliases ?? ['latest']) args.push('--alias', alias);
  if (target.runId) args.push('--id', target.runId);
  args.push(target.dir);
  return args.map(shellQuote).join(' ');
}

/** POSIX single quotes: safe for any path, and left off words that need none so the command reads plainly. */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
