// The benchmark's own tests, in Node: its process handling (bench/reaper.ts) and prerequisites.
// The wrapped bindings are tested in workerd (test/unit/bench-bindings.test.ts).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: ".",
    include: ["bench/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
  },
});
