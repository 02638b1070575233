import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Backbone features on disk, keyed by backbone id (which includes the image size) and by the
 * SHA-256 of the image file's bytes — so a renamed copy hits, an edited image misses, and a second
 * run over the same data does no backbone work. One raw little-endian float32 file per image.
 */
export class FeatureCache {
  private readonly root: string;
  private readonly contentKeys = new Map<string, string>();
  hits = 0;
  misses = 0;

  constructor(
    cacheDir: string,
    readonly backboneId: string,
    readonly featureSize: number,
  ) {
    this.root = join(cacheDir, backboneId.replace(/[^A-Za-z0-9@._-]/g, '_'));
  }

  /** The content key of an image file (hashing is cheap next to decoding, and memoised per path). */
  async keyOf(imagePath: string): Promise<string> {
    let key = this.contentKeys.get(imagePath);
    if (!key) {
      key = createHash('sha256').update(await readFile(imagePath)).digest('hex');
      this.contentKeys.set(imagePath, key);
    }
    return key;
  }

  private fileFor(key: string): string {
    return join(this.root, key.slice(0, 2), `${key}.f32`);
  }

  /** The cached features of an image, or undefined when it was never extracted with this backbone. */
  async get(imagePath: string): Promise<Float32Array | undefined> {
    const file = this.fileFor(await this.keyOf(imagePath));
    try {
      const bytes = await readFile(file);
      if (bytes.byteLength !== this.featureSize * 4) throw new Error('size mismatch');
      this.hits++;
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    } catch {
      this.misses++;
      return undefined;
    }
  }

  /** Stores features atomically (temp file + rename), so a killed run never leaves a torn entry. */
  async put(imagePath: string, features: Float32Array): Promise<void> {
    if (features.length !== this.featureSize) {
      throw new Error(`FeatureCache(${this.backboneId}): expected ${this.featureSize} values, got ${features.length}.`);
    }
    const file = this.fileFor(await this.keyOf(imagePath));
    await mkdir(join(file, '..'), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
    await rename(temp, file);
  }
}
