/**
 * One sample caption as the console prints it: the image id, the model's caption on a `model:` line, then the
 * image's ground-truth captions under `references:`, so the two are never mistaken for each other.
 */
export function formatSampleCaption(id: string, caption: string, references: readonly string[]): string {
  const lines = [`  ${id}`, `    model:      ${caption}`];
  references.forEach((reference, i) => lines.push(`    ${i === 0 ? 'references:' : ' '.repeat(11)} ${reference}`));
  return `${lines.join('\n')}\n`;
}
