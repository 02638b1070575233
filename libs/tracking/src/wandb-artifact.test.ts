import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { wandbArtifactName, wandbArtifactPutCommand } from './wandb-artifact.js';

describe('wandbArtifactPutCommand', () => {
  it('names entity/project/artifact, type model, alias latest, the run and the directory', () => {
    const command = wandbArtifactPutCommand({
      dir: '/runs/r1/bundle',
      project: 'image_captioning',
      entity: 'me',
      name: '12-03-18:40_model_emd512_DH2_EH1_EPS16_LR0.0001',
      runId: 'abc123',
    });
    expect(command).toBe(
      'wandb artifact put --name me/image_captioning/12-03-18-40_model_emd512_DH2_EH1_EPS16_LR0.0001 --type model ' +
        '--alias latest --id abc123 /runs/r1/bundle',
    );
  });

  it('leaves out entity and run when unknown', () => {
    expect(wandbArtifactPutCommand({ dir: 'b', project: 'p', name: 'n' })).toBe(
      'wandb artifact put --name p/n --type model --alias latest b',
    );
  });

  it('quotes paths so a shell passes them through unchanged', () => {
    const dir = "/tmp/my runs/it's here/bundle";
    const command = wandbArtifactPutCommand({ dir, project: 'p', name: 'n' });
    const echoed = execFileSync('sh', ['-c', command.replace(/^wandb artifact put/, 'printf "%s\\n"')], {
      encoding: 'utf8',
    });
    expect(echoed.trim().split('\n').at(-1)).toBe(dir);
  });

  it('refuses a name with nothing W&B allows', () => {
    expect(wandbArtifactName('a b:c/d')).toBe('a-b-c-d');
    expect(() => wandbArtifactName('::')).toThrow(/no character W&B allows/);
  });
});
