import { describe, it, expect } from 'vitest';
import { backboneId, parseBackboneId, type BackboneSpec } from './backbone-spec.js';

describe('backboneId / parseBackboneId', () => {
  it.each<[BackboneSpec, string, string | undefined]>([
    [{ kind: 'patch', patchSize: 8, imageSize: 64 }, 'patch8@64', undefined],
    [{ kind: 'patch', patchSize: 16, imageSize: 224 }, 'patch16@224', undefined],
    [{ kind: 'efficientnet', variant: 'b1', imageSize: 240, weightsDir: '/w/b1' }, 'efficientnet-b1@240', '/w/b1'],
    [{ kind: 'efficientnet', variant: 'b1', imageSize: 224 }, 'efficientnet-b1@224-random', undefined],
    [
      { kind: 'efficientnet', variant: 'b0', imageSize: 224, cutLayer: 'block3b_add' },
      'efficientnet-b0@224-block3b_add-random',
      undefined,
    ],
    [
      { kind: 'efficientnet', variant: 'b3', imageSize: 300, cutLayer: 'top_activation', weightsDir: '/w' },
      'efficientnet-b3@300-top_activation',
      '/w',
    ],
  ])('%j ⇄ %s', (spec, id, weightsDir) => {
    expect(backboneId(spec)).toBe(id);
    expect(parseBackboneId(id, weightsDir)).toEqual(spec);
  });

  it('fills in the defaults (patch 8 @ 64, the variant resolution)', () => {
    expect(backboneId({ kind: 'patch' })).toBe('patch8@64');
    expect(backboneId({ kind: 'efficientnet', variant: 'b1', weightsDir: '/w' })).toBe('efficientnet-b1@240');
    expect(backboneId({ kind: 'efficientnet', variant: 'b7' })).toBe('efficientnet-b7@600-random');
  });

  it('refuses ids it cannot give features for, naming the id', () => {
    expect(() => parseBackboneId('resnet50@224')).toThrow(/'resnet50@224'.*patch<size>@<px>/);
    expect(() => parseBackboneId('efficientnet-b9@240-random')).toThrow(/'b9'/);
    expect(() => parseBackboneId('efficientnet-b1@240')).toThrow(/'efficientnet-b1@240' uses pretrained weights/);
    expect(() => parseBackboneId('efficientnet-b1@240-random', '/w')).toThrow(/randomly initialised.*'\/w'/);
    expect(() => parseBackboneId('patch8@60')).toThrow(/60 is not a multiple of patchSize 8/);
  });

  it('validates specs with messages naming the bad value', () => {
    expect(() => backboneId({ kind: 'patch', patchSize: 0 })).toThrow(/patchSize.*got 0/);
    expect(() => backboneId({ kind: 'efficientnet', variant: 'b0', imageSize: 16 })).toThrow(/imageSize.*≥ 32, got 16/);
    expect(() => backboneId({ kind: 'efficientnet', variant: 'b0', cutLayer: 'Block3' })).toThrow(/'Block3'/);
    expect(() => backboneId({ kind: 'vit' } as unknown as BackboneSpec)).toThrow(/'vit'.*'efficientnet' or 'patch'/);
  });
});
