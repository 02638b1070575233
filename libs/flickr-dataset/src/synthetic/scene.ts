import { shuffleInPlace, type SeededRandom } from '../prng.js';

export const COLOURS = {
  red: '#d62728',
  green: '#2ca02c',
  blue: '#1f77b4',
  yellow: '#f2d200',
  purple: '#8e44ad',
  orange: '#ff7f0e',
} as const;
export const BACKGROUNDS = { white: '#f2f2f2', black: '#1e1e1e', gray: '#8a8a8a' } as const;
export const SHAPES = ['circle', 'square', 'triangle', 'star'] as const;
export const SIZES = ['small', 'large'] as const;

export type Colour = keyof typeof COLOURS;
export type Background = keyof typeof BACKGROUNDS;
export type Shape = (typeof SHAPES)[number];
export type Size = (typeof SIZES)[number];

/** An object in one cell of a 3×3 grid; cells never repeat within a scene, so objects never overlap. */
export interface SceneObject {
  colour: Colour;
  shape: Shape;
  size: Size;
  row: number;
  col: number;
}

export interface Scene {
  background: Background;
  objects: SceneObject[];
}

const POSITIONS = [
  ['in the top left', 'at the top', 'in the top right'],
  ['on the left', 'in the middle', 'on the right'],
  ['in the bottom left', 'at the bottom', 'in the bottom right'],
];
const NUMBERS = ['zero', 'one', 'two', 'three'];

function pick<T>(items: readonly T[], rng: SeededRandom): T {
  return items[rng.nextInt(items.length)];
}

export function randomScene(rng: SeededRandom): Scene {
  const count = 1 + rng.nextInt(3);
  const cells = shuffleInPlace([...Array(9).keys()], rng).slice(0, count);
  const objects = cells.map((cell) => ({
    colour: pick(Object.keys(COLOURS) as Colour[], rng),
    shape: pick(SHAPES, rng),
    size: pick(SIZES, rng),
    row: Math.floor(cell / 3),
    col: cell % 3,
  }));
  return { background: pick(Object.keys(BACKGROUNDS) as Background[], rng), objects };
}

function withArticle(words: string): string {
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

function nounPhrase(object: SceneObject, withSize: boolean): string {
  return withArticle(`${withSize ? `${object.size} ` : ''}${object.colour} ${object.shape}`);
}

function relation(a: SceneObject, b: SceneObject): string {
  if (a.col !== b.col) return a.col < b.col ? 'to the left of' : 'to the right of';
  return a.row < b.row ? 'above' : 'below';
}

function listPhrase(objects: SceneObject[], withSize: boolean): string {
  const phrases = objects.map((object) => nounPhrase(object, withSize));
  return phrases.length === 1 ? phrases[0] : `${phrases.slice(0, -1).join(' , ')} and ${phrases.at(-1)}`;
}

/** "two green triangles" when every object looks alike, else "three shapes". */
function countPhrase(objects: SceneObject[]): string {
  if (objects.length === 1) return nounPhrase(objects[0], false);
  const [first] = objects;
  const alike = objects.every((o) => o.colour === first.colour && o.shape === first.shape);
  return `${NUMBERS[objects.length]} ${alike ? `${first.colour} ${first.shape}s` : 'shapes'}`;
}

type Template = (scene: Scene, rng: SeededRandom) => string;

const TEMPLATES: Template[] = [
  ({ objects }) => listPhrase(objects, true),
  ({ objects }, rng) => `a picture of ${listPhrase(shuffleInPlace([...objects], rng), false)}`,
  ({ objects }, rng) => {
    if (objects.length === 1) return `${nounPhrase(objects[0], true)} ${POSITIONS[objects[0].row][objects[0].col]}`;
    const [a, b] = shuffleInPlace([...objects], rng);
    return `${nounPhrase(a, rng.next() < 0.5)} ${relation(a, b)} ${nounPhrase(b, rng.next() < 0.5)}`;
  },
  ({ objects, background }) => `${countPhrase(objects)} on a ${background} background`,
  ({ objects }, rng) => {
    const object = pick(objects, rng);
    return `there is ${nounPhrase(object, true)} ${POSITIONS[object.row][object.col]}`;
  },
  ({ objects }, rng) =>
    objects.length === 1
      ? `a ${objects[0].size} ${objects[0].shape} that is ${objects[0].colour}`
      : `there are ${NUMBERS[objects.length]} shapes and one of them is ${nounPhrase(pick(objects, rng), true)}`,
];

/** Five captions from different templates, so wording varies and a perfect model still misses some n-grams. */
export function describeScene(scene: Scene, rng: SeededRandom): string[] {
  // Objects read left to right, then top to bottom, as people tend to list them.
  const ordered = { ...scene, objects: [...scene.objects].sort((a, b) => a.col - b.col || a.row - b.row) };
  return shuffleInPlace([...TEMPLATES], rng)
    .slice(0, 5)
    .map((template) => template(ordered, rng));
}
