// One timer notices quiet: activity keeps it from firing, and quiet fires it once per interval, never
// in a loop (a stream whose client stopped reading must not wake the object every millisecond).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { watchQuiet } from "../../src/lib/quiet-watch";

describe("watchQuiet", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("does not fire while touched more often than the interval", () => {
    const onQuiet = vi.fn();
    const watch = watchQuiet(1_000, onQuiet);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(600);
      watch.touch();
    }
    expect(onQuiet).not.toHaveBeenCalled();
    watch.stop();
  });

  it("fires once per quiet interval, counted from the last touch, and schedules one timer at a time", () => {
    const onQuiet = vi.fn();
    const watch = watchQuiet(1_000, onQuiet);
    vi.advanceTimersByTime(600);
    watch.touch();
    vi.advanceTimersByTime(999);
    expect(onQuiet).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onQuiet).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(3_000);
    expect(onQuiet).toHaveBeenCalledTimes(4);
    expect(vi.getTimerCount()).toBe(1);
    watch.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stays stopped when the callback stops it", () => {
    const watch = watchQuiet(1_000, () => watch.stop());
    vi.advanceTimersByTime(1_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
