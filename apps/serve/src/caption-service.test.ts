import { describe, it, expect } from 'vitest';
import { loadCaptionService } from './caption-service.js';

describe('loadCaptionService', () => {
  it('names a missing model directory', async () => {
    await expect(loadCaptionService('/no/such/model')).rejects.toThrow(
      'model directory /no/such/model does not exist or is not a directory',
    );
  });
});
