export { buildApp, type AppOptions, type ServingControl } from './app.js';
export {
  loadCaptionService,
  type CaptionService,
  type CaptionOptions,
  type ServedCaption,
  type LoadServiceOptions,
} from './caption-service.js';
export { DEFAULT_LIMITS, type ServeLimits } from './limits.js';
export { parseServerArgs, startServer, type RunningServer, type ServerConfig, type ServiceLoader } from './server.js';
export {
  browserModelFromBundle,
  type BrowserModel,
  type BrowserModelInfo,
  type BrowserModelSource,
} from './browser/browser-model.js';
