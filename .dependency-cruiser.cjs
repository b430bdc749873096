// Layers you can read from the folder names; imports only run downward (npm run check:layers, in CI).
// A layer may import any layer below it, never one above; the typed client imports nothing of the
// server but types.
/** Top to bottom. */
const LAYERS = [
  { name: "app", path: "^src/(index|app)\\.ts$" },
  { name: "http", path: "^src/(routes|middleware|openapi)/|^src/app-env\\.ts$" },
  { name: "services", path: "^src/services/" },
  { name: "durable", path: "^src/durable/" },
  { name: "engine", path: "^src/engine/" },
  { name: "models-mcp-db", path: "^src/(models|mcp|db)/" },
  { name: "events", path: "^src/events/" },
  { name: "schemas", path: "^src/schemas/" },
  { name: "lib", path: "^src/lib/" },
];

const upward = LAYERS.slice(1).map((layer, index) => ({
  name: `no-upward-from-${layer.name}`,
  comment: `${layer.name} must not import the layers above it (${LAYERS.slice(0, index + 1)
    .map((above) => above.name)
    .join(", ")})`,
  severity: "error",
  from: { path: layer.path },
  to: {
    path: LAYERS.slice(0, index + 1)
      .map((above) => above.path)
      .join("|"),
  },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "routes-independent",
      comment: "a route module does not import another; shared pieces live in routes/params.ts and routes/views.ts",
      severity: "error",
      from: { path: "^src/routes/([^/]+)\\.ts$" },
      to: { path: "^src/routes/", pathNot: "^src/routes/(params|views)\\.ts$|^src/routes/$1\\.ts$" },
    },
    {
      name: "openapi-from-schemas",
      comment: "the API reference is built from the schemas, never from route modules",
      severity: "error",
      from: { path: "^src/openapi/" },
      to: { path: "^src/routes/" },
    },
    {
      name: "client-types-only",
      comment: "the typed client ships to browsers: it takes only types from the server",
      severity: "error",
      from: { path: "^src/client/" },
      to: { path: "^src/", pathNot: "^src/client/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "server-not-client",
      comment: "the server does not depend on the browser client",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/client/" },
      to: { path: "^src/client/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/worker-configuration\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
