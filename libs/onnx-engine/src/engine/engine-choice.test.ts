import { describe, expect, it } from 'vitest';
import { resolveInferenceEngine } from './engine-choice.js';

describe('resolveInferenceEngine', () => {
  it('picks ONNX Runtime unless tfjs runs on tfjs-node, and honours an explicit choice', () => {
    expect(resolveInferenceEngine('auto', 'wasm')).toBe('onnx');
    expect(resolveInferenceEngine('auto', 'cpu')).toBe('onnx');
    expect(resolveInferenceEngine('auto', 'tensorflow')).toBe('tfjs');
    expect(resolveInferenceEngine('tfjs', 'wasm')).toBe('tfjs');
    expect(resolveInferenceEngine('onnx', 'tensorflow')).toBe('onnx');
  });
});
