// Notices quiet: calls back when a given time has passed with nothing noted. Activity only notes the
// time; one timer checks it and sleeps again for what is left, as setting a timer per event (per
// chunk, per SSE frame) cost a tenth of a fast stream's CPU (bench:profile, throughput case).

export interface QuietWatch {
  /** Notes activity now. */
  touch(): void;
  stop(): void;
}

/** Calls `onQuiet` each time `quietMs` pass without a `touch()` (then waits a whole `quietMs` again). */
export function watchQuiet(quietMs: number, onQuiet: () => void): QuietWatch {
  let lastAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const sleep = (ms: number) => {
    timer = setTimeout(() => {
      const quiet = Date.now() - lastAt;
      if (quiet < quietMs) return sleep(quietMs - quiet);
      lastAt = Date.now();
      // Re-armed before the call, so an `onQuiet` that stops the watch stops it for good.
      sleep(quietMs);
      onQuiet();
    }, ms);
  };
  sleep(quietMs);
  return {
    touch: () => {
      lastAt = Date.now();
    },
    stop: () => clearTimeout(timer),
  };
}
