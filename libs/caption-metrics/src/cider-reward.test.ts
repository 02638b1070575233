import { describe, expect, it } from 'vitest';
import { ciderScores } from './cider.js';
import { CiderReward } from './cider-reward.js';

const REFERENCES = [
  ['a dog runs on the grass', 'a brown dog running in a field', 'the dog is running'],
  ['two children play in the sand', 'kids playing on a beach'],
  ['a man rides a bike down the street', 'a cyclist on a city road', 'a man on a bicycle'],
];

describe('CiderReward', () => {
  it('equals ciderScores over the same images with one candidate swapped in', () => {
    const reward = new CiderReward(REFERENCES);
    const candidates = ['a dog running on grass', 'children on a beach', 'a man a man a man', '', 'dog'];
    for (const candidate of candidates) {
      for (let image = 0; image < REFERENCES.length; image++) {
        const images = REFERENCES.map((references, i) => ({
          id: String(i),
          references,
          candidate: i === image ? candidate : 'x',
        }));
        expect(reward.score(image, candidate)).toBeCloseTo(ciderScores(images)[image]!, 12);
      }
    }
  });

  it('ranks a caption like the references above an unrelated one', () => {
    const reward = new CiderReward(REFERENCES);
    expect(reward.score(0, 'a brown dog running on the grass')).toBeGreaterThan(reward.score(0, 'a man on a bicycle'));
  });

  it('refuses an unknown image and an image without references', () => {
    expect(() => new CiderReward(REFERENCES).score(3, 'a')).toThrow(/no image 3/);
    expect(() => new CiderReward([['a'], []])).toThrow(/image 1 has no reference/);
  });
});
