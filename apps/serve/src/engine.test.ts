import { describe, it, expect } from 'vitest';
import { loadEngine } from './engine.js';

describe('loadEngine', () => {
  it('names a missing model directory', async () => {
    await expect(loadEngine('/no/such/model')).rejects.toThrow(
      'model directory /no/such/model does not exist or is not a directory',
    );
  });
});
