import cliProgress from 'cli-progress';

/** Progress over the files of one run: a live bar on a terminal, else a plain line now and then (logs, CI, pods). */
export interface CaptionProgress {
  /** `done` files of the total have been read (captioned or skipped). */
  update(done: number): void;
  /** A line that must not be drawn over by the bar (a skipped file). */
  log(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  total: number;
  /** Draw a bar on this stream; absent: periodic lines through `log`. */
  barStream?: NodeJS.WriteStream;
  log: (line: string) => void;
  /** Seconds between lines without a bar (the last line is always printed). */
  intervalSeconds?: number;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Rate and ETA from this run's own start: files a resumed run skips took no time and must not inflate the rate. */
function rateAndEta(done: number, total: number, started: number): { rate: number; eta: number } {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  return { rate, eta: rate > 0 ? (total - done) / rate : NaN };
}

/**
 * A MultiBar with one bar rather than a SingleBar: its `log` prints a line above the bar, where a SingleBar would
 * have the bar's next redraw overwrite it.
 */
function barProgress(total: number, stream: NodeJS.WriteStream): CaptionProgress {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: 'captioning {bar} {value}/{total} files | {speed} images/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { speed: '-' });
  const started = performance.now();
  return {
    update: (done) => bar.update(done, { speed: rateAndEta(done, total, started).rate.toFixed(2) }),
    log: (line) => bars.log(`${line}\n`),
    stop: () => {
      bars.update(); // flushes lines logged since the last redraw, which stop() alone would drop
      bars.stop();
    },
  };
}

function lineProgress(options: ProgressOptions): CaptionProgress {
  const { total, log } = options;
  const intervalMs = (options.intervalSeconds ?? 30) * 1000;
  const started = performance.now();
  let lastPrint = started;
  return {
    update(done) {
      const now = performance.now();
      if (now - lastPrint < intervalMs && done < total) return;
      lastPrint = now;
      const { rate, eta } = rateAndEta(done, total, started);
      log(`captioning ${done}/${total} files (${rate.toFixed(2)} images/s, ETA ${formatSeconds(eta)})`);
    },
    log,
    stop() {},
  };
}

export function createCaptionProgress(options: ProgressOptions): CaptionProgress {
  return options.barStream ? barProgress(options.total, options.barStream) : lineProgress(options);
}
