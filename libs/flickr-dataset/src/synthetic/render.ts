import type { SeededRandom } from '../prng.js';
import { BACKGROUNDS, COLOURS, type Scene, type SceneObject } from './scene.js';

// Small colour jitter keeps the model from matching one exact RGB value per colour word.
function jitter(hex: string, amount: number, rng: SeededRandom): string {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const shifted = channels.map((c) => Math.max(0, Math.min(255, c + Math.round((rng.next() * 2 - 1) * amount))));
  return `rgb(${shifted.join(',')})`;
}

function starPoints(cx: number, cy: number, r: number): number[][] {
  return [...Array(10).keys()].map((i) => {
    const radius = i % 2 === 0 ? r : r * 0.45;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
  });
}

function shapeElement(object: SceneObject, imageSize: number, rng: SeededRandom): string {
  const cell = imageSize / 3;
  const r = cell * (object.size === 'large' ? 0.42 : 0.22);
  const slack = cell / 2 - r; // room to move without leaving the cell
  const cx = (object.col + 0.5) * cell + (rng.next() * 2 - 1) * slack * 0.8;
  const cy = (object.row + 0.5) * cell + (rng.next() * 2 - 1) * slack * 0.8;
  const fill = `fill="${jitter(COLOURS[object.colour], 18, rng)}"`;
  const f = (n: number) => n.toFixed(2);
  const polygon = (points: number[][]) =>
    `<polygon points="${points.map(([x, y]) => `${f(x)},${f(y)}`).join(' ')}" ${fill}/>`;
  switch (object.shape) {
    case 'circle':
      return `<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(r)}" ${fill}/>`;
    case 'square':
      return `<rect x="${f(cx - r * 0.85)}" y="${f(cy - r * 0.85)}" width="${f(r * 1.7)}" height="${f(r * 1.7)}" ${fill}/>`;
    case 'triangle':
      return polygon([
        [cx, cy - r],
        [cx + 0.87 * r, cy + 0.5 * r],
        [cx - 0.87 * r, cy + 0.5 * r],
      ]);
    case 'star':
      return polygon(starPoints(cx, cy, r));
  }
}

/** The scene as an SVG string (generation only: our own trusted markup, never user input). */
export function sceneToSvg(scene: Scene, imageSize: number, rng: SeededRandom): string {
  const background = `<rect width="100%" height="100%" fill="${jitter(BACKGROUNDS[scene.background], 8, rng)}"/>`;
  const shapes = scene.objects.map((object) => shapeElement(object, imageSize, rng)).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${imageSize}" height="${imageSize}">${background}${shapes}</svg>`;
}
