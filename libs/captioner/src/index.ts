// @imgcap/captioner: every entry point at once. Import the one you need where it matters: `./generation` is the
// only browser-safe one (the others load tfjs; `./training` also worker threads).
export * from './model/index.js';
export * from './generation/index.js';
export * from './training/index.js';
export * from './bundle/index.js';
export * from './keras-import/index.js';
