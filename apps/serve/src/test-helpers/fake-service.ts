// Test double of CaptionService — no model. It names the dominant colour of the image it receives, so HTTP tests can
// check that decoding (orientation, colour conversion, first GIF frame) reached the engine; it can be held to
// simulate slow captioning. The real-model integration test arrives with @imgcap/captioner.
import type { DecodedImage } from '@imgcap/image-io';
import type { CaptionService, CaptionOptions, ServedCaption } from '../caption-service.js';

function dominantColour(image: DecodedImage): string {
  const sums = [0, 0, 0];
  for (let i = 0; i < image.data.length; i++) sums[i % 3] += image.data[i];
  if (Math.max(...sums) - Math.min(...sums) < 0.05 * Math.max(...sums)) return 'grey';
  return ['red', 'green', 'blue'][sums.indexOf(Math.max(...sums))];
}

export class FakeCaptionService implements CaptionService {
  readonly imageSize = 32;
  readonly received: { image: DecodedImage; options: CaptionOptions }[] = [];
  disposed = false;
  failWith: Error | undefined;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  /** Makes later captions wait until the returned function is called. */
  hold(): () => void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
    return () => {
      this.#held = undefined;
      this.#release?.();
    };
  }

  async caption(image: DecodedImage, options: CaptionOptions): Promise<ServedCaption> {
    this.received.push({ image, options });
    await this.#held;
    if (this.failWith) throw this.failWith;
    const words = ['a', dominantColour(image), 'picture'].slice(0, options.maxLength ?? 3);
    return {
      caption: words.join(' '),
      words,
      score: -0.5 * words.length,
      // Word i looks at grid cell i of a 2×2 grid.
      attention: words.map((_, i) => [0, 1, 2, 3].map((cell) => (cell === i % 4 ? 1 : 0))),
      gridSize: [2, 2],
    };
  }

  dispose(): void {
    this.disposed = true;
  }
}
