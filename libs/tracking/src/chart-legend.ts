import escapeMarkup from 'escape-html';

/** Geometry of the legend strip under a chart: rows of swatch + name, laid out left to right. */
export interface LegendLayout {
  /** Pixels the strip needs below the x-axis label (0 with no series). */
  height: number;
  items: Array<{ name: string; label: string; colour: string; x: number; row: number }>;
}

const ROW_HEIGHT = 18;
const PADDING = 4;
const SWATCH = 18;
const SWATCH_GAP = 6;
const ITEM_GAP = 16;
/** A generous average advance of a 12 px sans-serif glyph, so the reserved room is not underestimated. */
export const LEGEND_CHAR_WIDTH = 7;

/** Estimated width of a legend item: swatch, gap, text. */
function itemWidth(label: string): number {
  return SWATCH + SWATCH_GAP + label.length * LEGEND_CHAR_WIDTH;
}

/** A name that would not fit on one row is cut with an ellipsis (the whole name stays in the item's tooltip). */
function fitLabel(name: string, width: number): string {
  const maxChars = Math.max(1, Math.floor((width - SWATCH - SWATCH_GAP) / LEGEND_CHAR_WIDTH));
  return name.length <= maxChars ? name : `${name.slice(0, maxChars - 1)}…`;
}

/** Flows the series' entries into rows `width` pixels wide, starting at `left`. */
export function layoutLegend(
  series: ReadonlyArray<{ name: string }>,
  palette: readonly string[],
  { left, width }: { left: number; width: number },
): LegendLayout {
  const items: LegendLayout['items'] = [];
  let row = 0;
  let x = left;
  series.forEach(({ name }, i) => {
    const label = fitLabel(name, width);
    const w = itemWidth(label);
    if (x > left && x + w > left + width) {
      row++;
      x = left;
    }
    items.push({ name, label, colour: palette[i % palette.length]!, x, row });
    x += w + ITEM_GAP;
  });
  return { height: items.length ? (row + 1) * ROW_HEIGHT + 2 * PADDING : 0, items };
}

/** The legend's markup, its rows starting at `top`; the `legend-box` rect is the area it occupies. */
export function legendSvg(layout: LegendLayout, { top, left, width }: { top: number; left: number; width: number }) {
  if (layout.items.length === 0) return '<g class="legend"></g>';
  const box = `<rect class="legend-box" x="${left}" y="${top}" width="${width}" height="${layout.height - PADDING}" fill="#fff"/>`;
  const items = layout.items.map(({ name, label, colour, x, row }) => {
    const baseline = top + PADDING + row * ROW_HEIGHT + 12;
    return (
      `<g class="legend-item"><title>${escapeMarkup(name)}</title>` +
      `<line x1="${x}" y1="${baseline - 4}" x2="${x + SWATCH}" y2="${baseline - 4}" stroke="${colour}" stroke-width="3"/>` +
      `<text x="${x + SWATCH + SWATCH_GAP}" y="${baseline}">${escapeMarkup(label)}</text></g>`
    );
  });
  return `<g class="legend">${box}${items.join('')}</g>`;
}
