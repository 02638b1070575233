/** A dataset file or folder is missing or malformed. The message is one line naming the file (and line). */
export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';

  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
  }
}
