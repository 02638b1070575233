import escapeHtml from 'escape-html';

// Cells are drawn with opacity up to this, so the image stays visible under the strongest cell.
const MAX_OPACITY = 0.8;

/**
 * One tile per generated word: the image (a CSS background set by `imageClass`) under a rows × cols grid whose cells'
 * opacity is the word's attention weight scaled from its weakest (clear) to its strongest cell. Plain HTML + CSS, so
 * the report needs no script and shows the same in every viewer.
 */
export function attentionStrip(
  words: readonly string[],
  attention: readonly number[][],
  gridSize: [number, number],
  imageClass: string,
): string {
  const [rows, cols] = gridSize;
  const tiles = words.map((word, i) => {
    const weights = attention[i] ?? [];
    // Min–max per word: a nearly uniform map (an untrained or unsure decoder) stays readable instead of all red.
    const low = Math.min(...weights);
    const range = Math.max(...weights) - low;
    const cells = weights
      .map((w) => `<i style="opacity:${range > 0 ? (((w - low) / range) * MAX_OPACITY).toFixed(2) : '0'}"></i>`)
      .join('');
    const grid = `<div class="heat" style="grid-template-columns:repeat(${cols},1fr);grid-template-rows:repeat(${rows},1fr)">${cells}</div>`;
    return `<figure class="tile ${imageClass}">${grid}<figcaption>${escapeHtml(word)}</figcaption></figure>`;
  });
  return `<div class="attention">${tiles.join('')}</div>`;
}
