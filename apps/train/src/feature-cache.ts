import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import writeFileAtomic from 'write-file-atomic';

/** Entry layout: magic, the image's content key (sha256, raw), CRC-32 of the features, then the float32 features. */
const MAGIC = Buffer.from('IMGCAPF2');
const HEADER_BYTES = MAGIC.length + 32 + 4;

/**
 * Backbone features on disk, keyed by backbone id (which includes the image size) and by the
 * SHA-256 of the image file's bytes — so a renamed copy hits, an edited image misses, and a second
 * run over the same data does no backbone work. One file per image: a header naming the image it
 * belongs to and a CRC-32 of the little-endian float32 features that follow. An entry whose header,
 * key or checksum does not match (garbage of the right size, another image's features, zeros) is
 * reported and re-extracted, never trained on.
 */
export class FeatureCache {
  private readonly root: string;
  private readonly contentKeys = new Map<string, string>();
  hits = 0;
  misses = 0;
  /** Entries found damaged (and so treated as missing). */
  damaged = 0;

  constructor(
    cacheDir: string,
    readonly backboneId: string,
    readonly featureSize: number,
    /** Told about each damaged entry: its file and what was wrong. */
    private readonly onDamaged: (file: string, reason: string) => void = () => {},
  ) {
    this.root = join(cacheDir, backboneId.replace(/[^A-Za-z0-9@._-]/g, '_'));
  }

  /** The content key of an image file (hashing is cheap next to decoding, and memoised per path). */
  async keyOf(imagePath: string): Promise<string> {
    let key = this.contentKeys.get(imagePath);
    if (!key) {
      key = createHash('sha256')
        .update(await readFile(imagePath))
        .digest('hex');
      this.contentKeys.set(imagePath, key);
    }
    return key;
  }

  private fileFor(key: string): string {
    return join(this.root, key.slice(0, 2), `${key}.f32`);
  }

  /** The cached features of an image, or undefined when it was never extracted with this backbone or is damaged. */
  async get(imagePath: string): Promise<Float32Array | undefined> {
    const key = await this.keyOf(imagePath);
    const file = this.fileFor(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      this.misses++;
      return undefined;
    }
    const problem = this.checkEntry(bytes, key);
    if (problem) {
      this.misses++;
      this.damaged++;
      this.onDamaged(file, problem);
      return undefined;
    }
    this.hits++;
    const payload = bytes.subarray(HEADER_BYTES);
    return new Float32Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength));
  }

  /** What is wrong with an entry, or null when its layout, image key and checksum all match. */
  private checkEntry(bytes: Buffer, key: string): string | null {
    if (bytes.byteLength !== HEADER_BYTES + this.featureSize * 4)
      return `${bytes.byteLength} bytes, expected ${HEADER_BYTES + this.featureSize * 4}`;
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return 'not a feature-cache entry (or an older format)';
    if (bytes.subarray(MAGIC.length, MAGIC.length + 32).toString('hex') !== key) return "another image's features";
    if (bytes.readUInt32LE(MAGIC.length + 32) !== crc32(bytes.subarray(HEADER_BYTES))) return 'checksum mismatch';
    return null;
  }

  /** Stores features atomically (write-file-atomic: temp file, then rename). */
  async put(imagePath: string, features: Float32Array): Promise<void> {
    if (features.length !== this.featureSize) {
      throw new Error(`FeatureCache(${this.backboneId}): expected ${this.featureSize} values, got ${features.length}.`);
    }
    const key = await this.keyOf(imagePath);
    const file = this.fileFor(key);
    await mkdir(join(file, '..'), { recursive: true });
    const payload = Buffer.from(features.buffer, features.byteOffset, features.byteLength);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    Buffer.from(key, 'hex').copy(header, MAGIC.length);
    header.writeUInt32LE(crc32(payload), MAGIC.length + 32);
    // Atomic: two runs sharing one cache, or a run killed mid-write, never leave a torn entry under the real name.
    // No fsync: one per entry would cost every extraction (31,783 entries for Flickr30k), and an entry a power loss
    // leaves empty fails its header check and is extracted again.
    await writeFileAtomic(file, Buffer.concat([header, payload]), { fsync: false });
  }
}
