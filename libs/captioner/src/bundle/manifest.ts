import type { CaptionModelConfig } from '../config.js';

export const BUNDLE_FORMAT = 'imgcap-caption-bundle';
export const BUNDLE_VERSION = 1;

/** The manifest's file name: a directory holding it is a complete caption bundle. */
export const BUNDLE_MANIFEST_FILE = 'bundle.json';

/** `bundle.json`: everything needed to rebuild the captioner and feed it images. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  config: CaptionModelConfig;
  backbone: {
    id: string;
    imageSize: number;
    /** The backbone's weights relative to the bundle (converter directory or Keras `.h5`), or null (patch / seeded random init). */
    weights: string | null;
  };
  createdAt: string;
  /**
   * sha256 of every file the bundle holds (relative paths), checked before use: a damaged or replaced weight file is
   * refused, never loaded silently. Absent in bundles written before checksums were recorded.
   */
  files?: Record<string, string>;
  /** Free-form facts from training (preset, dataset, metrics) shown by `eval compare`. */
  metadata: Record<string, unknown>;
}

export function parseManifest(json: unknown, file: string): BundleManifest {
  const m = json as Partial<BundleManifest>;
  if (m?.format !== BUNDLE_FORMAT)
    throw new Error(`${file}: not a caption bundle (format ${JSON.stringify(m?.format)}).`);
  if (m.version !== BUNDLE_VERSION) {
    throw new Error(
      `${file}: bundle version ${String(m.version)} is not supported (this build reads version ${BUNDLE_VERSION}).`,
    );
  }
  if (!m.config || !m.backbone?.id) throw new Error(`${file}: missing config or backbone.`);
  return m as BundleManifest;
}
