export { buildApp, type AppOptions, type ServingControl } from './app.js';
export {
  loadEngine,
  type CaptionEngine,
  type CaptionOptions,
  type ServedCaption,
  type LoadEngineOptions,
} from './engine.js';
export { DEFAULT_LIMITS, type ServeLimits } from './limits.js';
export { parseServerArgs, startServer, type RunningServer, type ServerConfig, type EngineLoader } from './server.js';
export {
  browserModelFromBundle,
  type BrowserModel,
  type BrowserModelInfo,
  type BrowserModelSource,
} from './browser/browser-model.js';
