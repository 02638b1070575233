import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import writeFileAtomic from 'write-file-atomic';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/** How features are stored: float32 as computed, or float16 (half the disk; see docs/feature-cache.md for its error). */
export const CACHE_PRECISIONS = ['float32', 'float16'] as const;
export type CachePrecision = (typeof CACHE_PRECISIONS)[number];

/** Entry layout: magic (says the precision), the image's content key (sha256, raw), CRC-32 of the payload, payload. */
const MAGIC: Record<CachePrecision, Buffer> = { float32: Buffer.from('IMGCAPF2'), float16: Buffer.from('IMGCAPH2') };
const HEADER_BYTES = 8 + 32 + 4;
const BYTES_PER_VALUE: Record<CachePrecision, number> = { float32: 4, float16: 2 };
const INDEX_FILE = 'index.json';
const INDEX_VERSION = 1;

/** What the index remembers of an image file: enough to trust its content key without reading it again. */
type IndexEntry = [size: number, mtimeMs: number, key: string];

/**
 * Backbone features on disk, keyed by backbone id (which includes the image size) and by the SHA-256 of the image
 * file's bytes — so a renamed copy hits, an edited image misses, and a second run over the same data does no backbone
 * work. One file per image: a header naming the image it belongs to and a CRC-32 of the little-endian features that
 * follow. An entry whose header, key or checksum does not match (garbage of the right size, another image's features,
 * zeros) is reported and re-extracted, never trained on.
 *
 * An index (path, size, mtime → content key) spares a second run from hashing every image again: a file whose size and
 * modification time are unchanged keeps its key, as make and rsync assume. `has` checks an entry by its size alone;
 * `get` verifies header and checksum when the features are read, so a cached run starts without reading them all.
 */
export class FeatureCache {
  private readonly root: string;
  private readonly contentKeys = new Map<string, string>();
  private index = new Map<string, IndexEntry>();
  private indexChanged = false;
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
    readonly precision: CachePrecision = 'float32',
  ) {
    const name = backboneId.replace(/[^A-Za-z0-9@._-]/g, '_');
    this.root = join(cacheDir, precision === 'float32' ? name : `${name}-f16`);
  }

  /** Bytes one entry takes on disk. */
  get entryBytes(): number {
    return HEADER_BYTES + this.featureSize * BYTES_PER_VALUE[this.precision];
  }

  get directory(): string {
    return this.root;
  }

  /** Reads the index of image keys (absent or unreadable: every image is hashed, as on a first run). */
  async loadIndex(): Promise<void> {
    try {
      const saved = JSON.parse(await readFile(join(this.root, INDEX_FILE), 'utf8')) as {
        version: number;
        entries: Record<string, IndexEntry>;
      };
      if (saved.version === INDEX_VERSION) this.index = new Map(Object.entries(saved.entries));
    } catch {
      this.index = new Map();
    }
  }

  /** Writes the index if keys were added or changed (atomically: concurrent runs leave one whole index). */
  async saveIndex(): Promise<void> {
    if (!this.indexChanged) return;
    await mkdir(this.root, { recursive: true });
    const entries = Object.fromEntries(this.index);
    await writeFileAtomic(join(this.root, INDEX_FILE), JSON.stringify({ version: INDEX_VERSION, entries }));
    this.indexChanged = false;
  }

  /** The content key of an image file: from the index when its size and mtime are unchanged, else by hashing it. */
  async keyOf(imagePath: string): Promise<string> {
    let key = this.contentKeys.get(imagePath);
    if (key) return key;
    const { size, mtimeMs } = await stat(imagePath);
    const known = this.index.get(imagePath);
    if (known && known[0] === size && known[1] === mtimeMs) {
      key = known[2];
    } else {
      key = createHash('sha256')
        .update(await readFile(imagePath))
        .digest('hex');
      this.index.set(imagePath, [size, mtimeMs, key]);
      this.indexChanged = true;
    }
    this.contentKeys.set(imagePath, key);
    return key;
  }

  private fileFor(key: string): string {
    return join(this.root, key.slice(0, 2), `${key}.f32`);
  }

  /** Whether an entry of the right size exists for the image (its contents are checked when `get` reads it). */
  async has(imagePath: string): Promise<boolean> {
    const file = this.fileFor(await this.keyOf(imagePath));
    const entry = await stat(file).catch(() => null);
    return entry !== null && entry.size === this.entryBytes;
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
    if (this.precision === 'float16') return float16ToFloat32(payload);
    return new Float32Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength));
  }

  /** What is wrong with an entry, or null when its layout, image key and checksum all match. */
  private checkEntry(bytes: Buffer, key: string): string | null {
    if (bytes.byteLength !== this.entryBytes) return `${bytes.byteLength} bytes, expected ${this.entryBytes}`;
    const magic = MAGIC[this.precision];
    if (!bytes.subarray(0, magic.length).equals(magic)) return 'not a feature-cache entry (or an older format)';
    if (bytes.subarray(magic.length, magic.length + 32).toString('hex') !== key) return "another image's features";
    if (bytes.readUInt32LE(magic.length + 32) !== crc32(bytes.subarray(HEADER_BYTES))) return 'checksum mismatch';
    return null;
  }

  /**
   * Stores features atomically (write-file-atomic: temp file, then rename). Returns the features as stored — rounded
   * to float16 in a float16 cache — so a run trains on what every later run will read, not on what it computed.
   */
  async put(imagePath: string, features: Float32Array): Promise<Float32Array> {
    if (features.length !== this.featureSize) {
      throw new Error(`FeatureCache(${this.backboneId}): expected ${this.featureSize} values, got ${features.length}.`);
    }
    const key = await this.keyOf(imagePath);
    const file = this.fileFor(key);
    await mkdir(join(file, '..'), { recursive: true });
    const payload =
      this.precision === 'float16'
        ? float32ToFloat16(features)
        : Buffer.from(features.buffer, features.byteOffset, features.byteLength);
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC[this.precision].copy(header);
    Buffer.from(key, 'hex').copy(header, 8);
    header.writeUInt32LE(crc32(payload), 8 + 32);
    // Atomic: two runs sharing one cache, or a run killed mid-write, never leave a torn entry under the real name.
    // No fsync: one per entry would cost every extraction (31,783 entries for Flickr30k), and an entry a power loss
    // leaves empty fails its header check and is extracted again.
    await writeFileAtomic(file, Buffer.concat([header, payload]), { fsync: false });
    return this.precision === 'float16' ? float16ToFloat32(payload) : features;
  }
}
