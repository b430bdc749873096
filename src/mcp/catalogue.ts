// What a tool author may pick (GET /api/mcp/tools): every configured server's tools by full name, and the
// servers that could not be listed, with messages that name no address or header.
import type { JsonSchema } from "./arguments";
import type { Toolbox } from "./toolbox";

/** One pickable tool: `name` is `<server>.<tool>`. */
export interface CatalogueTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
  needsApproval: boolean;
}

export interface McpCatalogue {
  tools: CatalogueTool[];
  errors: { server: string; error: string }[];
}

/** The schema without its `$schema` URI: a dialect marker, not for authors, and the answer carries no URL. */
function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** Lists every configured server at once; a server that fails is an entry in `errors`, never a throw. */
export async function listCatalogue(toolbox: Toolbox, signal?: AbortSignal): Promise<McpCatalogue> {
  const outcomes = await Promise.all(
    toolbox.serverNames().map(async (server) => ({ server, outcome: await toolbox.listTools(server, signal) })),
  );
  const catalogue: McpCatalogue = { tools: [], errors: [] };
  for (const { server, outcome } of outcomes) {
    if (!outcome.ok) {
      catalogue.errors.push({ server, error: outcome.error.message });
      continue;
    }
    for (const tool of outcome.tools) {
      catalogue.tools.push({
        name: `${server}.${tool.name}`,
        description: tool.description,
        inputSchema: withoutDialect(tool.inputSchema),
        needsApproval: tool.needsApproval,
      });
    }
  }
  return catalogue;
}
