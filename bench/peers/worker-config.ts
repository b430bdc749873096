// The peers benchmark's wrangler config: wrangler.toml as it is, plus the Agents peer's and the trivial
// object's bindings and `nodejs_compat` (which `agents` needs). Written beside wrangler.toml, so its
// relative paths hold, and removed when the run ends.
import { readFileSync, rmSync, writeFileSync } from "node:fs";

export const PEERS_CONFIG = ".wrangler-bench-peers.toml";

export function writePeersConfig(): { path: string; remove: () => void } {
  const base = readFileSync("wrangler.toml", "utf8");
  const dateLine = /^compatibility_date = .*$/m;
  if (!dateLine.test(base)) throw new Error("wrangler.toml has no compatibility_date line");
  // Top-level keys must come before the first table.
  const withFlags = base.replace(dateLine, (line) => `${line}\ncompatibility_flags = ["nodejs_compat"]`);
  const peers = `
[[durable_objects.bindings]]
name = "BenchChatAgent"
class_name = "BenchChatAgent"

[[durable_objects.bindings]]
name = "TRIVIAL_STREAM"
class_name = "TrivialStream"

[[migrations]]
tag = "bench-peers-v1"
new_sqlite_classes = ["BenchChatAgent", "TrivialStream"]
`;
  writeFileSync(PEERS_CONFIG, `${withFlags}${peers}`);
  return { path: PEERS_CONFIG, remove: () => rmSync(PEERS_CONFIG, { force: true }) };
}
