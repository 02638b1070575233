import cliProgress from 'cli-progress';

export interface StepReport {
  step: number;
  loss: number;
  /** Cross-entropy steps report next-token accuracy; self-critical ones the mean CIDEr-D reward of their samples. */
  accuracy?: number;
  reward?: number;
  examplesPerSecond: number;
}

/** Per-epoch progress: a live bar on a terminal, a plain line every `intervalSeconds` otherwise (CI, logs). */
export interface EpochProgress {
  update(batch: number, report: StepReport): void;
  stop(): void;
}

export function createEpochProgress(
  epoch: number,
  epochs: number,
  batches: number,
  options: {
    stream?: NodeJS.WriteStream;
    intervalSeconds?: number;
    startBatch?: number;
    second?: 'acc' | 'reward';
  } = {},
): EpochProgress {
  const stream = options.stream ?? process.stderr;
  // The second figure shown: accuracy (cross-entropy) or reward (self-critical).
  const label = options.second ?? 'acc';
  const second = (r: StepReport) => ((label === 'acc' ? r.accuracy : r.reward) ?? NaN).toFixed(3);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `epoch ${epoch + 1}/${epochs} {bar} {value}/{total} | ETA {eta_formatted} | loss {loss} | ${label} {accuracy} | {speed} ex/s`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(batches, options.startBatch ?? 0, { loss: '-', accuracy: '-', speed: '-' });
    return {
      update: (batch, r) =>
        bar.update(batch, {
          loss: r.loss.toFixed(4),
          accuracy: second(r),
          speed: r.examplesPerSecond.toFixed(1),
        }),
      stop: () => bar.stop(),
    };
  }
  const intervalMs = (options.intervalSeconds ?? 30) * 1000;
  const started = Date.now();
  let lastPrint = 0;
  const startBatch = options.startBatch ?? 0;
  return {
    update(batch, r) {
      const now = Date.now();
      if (now - lastPrint < intervalMs && batch < batches) return;
      lastPrint = now;
      const done = batch - startBatch;
      const eta = done > 0 ? (((now - started) / done) * (batches - batch)) / 1000 : NaN;
      stream.write(
        `epoch ${epoch + 1}/${epochs} batch ${batch}/${batches} step ${r.step} loss ${r.loss.toFixed(4)} ` +
          `${label} ${second(r)} ${r.examplesPerSecond.toFixed(1)} ex/s eta ${Number.isFinite(eta) ? `${Math.round(eta)}s` : '?'}\n`,
      );
    },
    stop() {},
  };
}

/** A download's progress: a byte bar on a terminal, a line every 10 % otherwise; nothing until bytes arrive. */
export function createDownloadProgress(
  file: string,
  stream: NodeJS.WriteStream = process.stderr,
): { update: (received: number, total: number | null) => void; stop: () => void } {
  const mb = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
  let bar: cliProgress.SingleBar | null = null;
  let lastTenth = -1;
  return {
    update(received, total) {
      if (stream.isTTY && total !== null) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format: `${file} {bar} {percentage}% | {done}/{size} MB | ETA {eta_formatted}`,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { done: '0.0', size: mb(total) });
        }
        bar.update(received, { done: mb(received), size: mb(total) });
        return;
      }
      const tenth = total ? Math.floor((received / total) * 10) : Math.floor(received / (10 * 1024 ** 2));
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      stream.write(`downloading ${file}: ${mb(received)}${total ? ` of ${mb(total)}` : ''} MB\n`);
    },
    stop: () => bar?.stop(),
  };
}
