// @imgcap/captioner/training: one step at a time on one thread (CaptionTrainer) or data-parallel over worker threads
// (DataParallelTrainer), and the losses they minimise: cross-entropy and accuracy over the positions whose target
// is a word (what training runs), and the masked full-grid forms they equal (the reference).
export { CaptionTrainer, type StepMetrics, type TrainingBatch } from './trainer.js';
export {
  autoReplicaCount,
  DataParallelTrainer,
  MAX_REPLICAS,
  type DataParallelOptions,
} from './parallel/data-parallel-trainer.js';
export type { WorkerSetup } from './parallel/gradient-worker.js';
export { maskedAccuracy, maskedCrossEntropy, targetAccuracy, targetCrossEntropy } from '../loss.js';
