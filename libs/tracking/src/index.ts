export {
  abandonRun,
  openRun,
  type OpenRunOptions,
  type RunConfig,
  type RunDirectory,
  type RunPaths,
} from './run-directory.js';
export {
  openMetricsLog,
  readMetrics,
  SPLITS,
  type Metrics,
  type MetricsLog,
  type MetricsReadResult,
  type MetricsRecord,
  type OpenMetricsLogOptions,
  type Split,
} from './metrics-log.js';
export {
  metricKey,
  readSummary,
  summarizeMetrics,
  writeSummary,
  type BestMetric,
  type RunSummary,
  type SummarizeOptions,
} from './run-summary.js';
export { lineChartSvg, type ChartSeries, type LineChartOptions } from './line-chart.js';
export { renderRunReport, type ReportSample, type RunReportInput } from './run-report.js';
export { createTracker, type CreateTrackerOptions, type Tracker, type TrackerSink } from './tracker.js';
export {
  createWandbSink,
  type WandbClient,
  type WandbInitOptions,
  type WandbRun,
  type WandbRunIdentity,
  type WandbSink,
  type WandbSinkOptions,
} from './wandb-sink.js';
export { wandbArtifactName, wandbArtifactPutCommand, type WandbArtifactTarget } from './wandb-artifact.js';
