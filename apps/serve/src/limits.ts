import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS } from '@imgcap/image-io';
import type { AdmissionLimits } from './admission.js';

export interface ServeLimits extends AdmissionLimits {
  /** Longest a caption request may take once admitted, decode included. */
  captionTimeoutMs: number;
  /** Largest accepted upload. */
  maxUploadBytes: number;
  /** Largest accepted image, checked from its header before decoding (decompression bombs). */
  maxPixels: number;
  /**
   * Caption requests between their first body byte and their answer; one more is refused with a 503 before its
   * body is read. Bounds the memory of uploads being received: at most this many × (maxUploadBytes + 64 KiB).
   */
  maxUploads: number;
  /** Longest a request body may take to arrive (slow or stalled clients get a 408, Content-Length lies included). */
  bodyTimeoutMs: number;
}

/**
 * Captions admitted at once. More than one lets the engine batch them (see DEFAULT_MAX_BATCH) and overlaps one
 * request's image decode (sharp, on libuv threads) with another's caption (tfjs, on the main thread).
 */
export const DEFAULT_LIMITS: ServeLimits = {
  maxInflight: 4,
  maxQueue: 8,
  queueTimeoutMs: 10_000,
  captionTimeoutMs: 30_000,
  // The same caps as files read from disk (eval, caption-files): one image is one image, however it arrives.
  maxUploadBytes: DEFAULT_MAX_FILE_BYTES,
  maxPixels: DEFAULT_MAX_PIXELS,
  // Enough for every admitted and queued caption plus a few uploads in flight.
  maxUploads: 16,
  bodyTimeoutMs: 15_000,
};

/** Room for the multipart framing around the file (boundaries, part headers); more body than that is a 413. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Largest micro-batch: 4 images per call measured ~1.7× the captions/s of 4 calls on wasm (tools/bench). */
export const DEFAULT_MAX_BATCH = 4;

/** Merges overrides into the defaults; unknown keys and non-positive values are errors that name them. */
export function resolveLimits(overrides: Partial<ServeLimits> = {}): ServeLimits {
  const limits: ServeLimits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new RangeError(`Unknown limit ${JSON.stringify(key)}; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    if (value === undefined) continue;
    const allowsZero = key === 'maxQueue';
    if (!Number.isInteger(value) || value < (allowsZero ? 0 : 1)) {
      throw new RangeError(`Limit ${key} must be an integer ≥ ${allowsZero ? 0 : 1}; got ${String(value)}`);
    }
    limits[key as keyof ServeLimits] = value;
  }
  return limits;
}
