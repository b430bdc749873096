// Bundles the page (web/app.ts) and the typed client for browsers into public/. Run by wrangler's
// [build] step before `wrangler dev` and `wrangler deploy`, so the assets are always current.
import { build } from "esbuild";

const common = { bundle: true, format: "esm", target: "es2022", sourcemap: true, logLevel: "warning" };
await build({ ...common, entryPoints: ["web/app.ts"], outfile: "public/app.js", minify: true });
await build({ ...common, entryPoints: ["src/client/index.ts"], outfile: "public/client.js" });
