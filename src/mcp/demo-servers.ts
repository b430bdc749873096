// The offline demo MCP servers the Worker serves when DEMO_MCP_SERVERS is "true", so `npm start` can show
// an agent step with no network: `lesson` (find_standard, read-only) and `classroom` (post_announcement,
// needs approval; posts nothing). The SDK's server over its Fetch API transport, stateless.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { z } from "zod";

/** A made-up curriculum: clearly not real standards, enough to show a lookup. */
const STANDARDS = [
  {
    keywords: ["fraction"],
    code: "DEMO.MATH.3.NF.1",
    grade: "3",
    text: "Understand a fraction 1/b as one part when a whole is split into b equal parts.",
  },
  {
    keywords: ["multiplication", "times table"],
    code: "DEMO.MATH.3.OA.1",
    grade: "3",
    text: "Read a product such as 5 × 7 as the total of 5 groups of 7 objects.",
  },
  {
    keywords: ["volcano", "earthquake"],
    code: "DEMO.SCI.4.ES.2",
    grade: "4",
    text: "Describe how volcanoes and earthquakes change the shape of the land.",
  },
  {
    keywords: ["photosynthesis", "plant"],
    code: "DEMO.SCI.5.LS.1",
    grade: "5",
    text: "Explain how plants make their food from sunlight, water and air.",
  },
  {
    keywords: ["water cycle", "rain", "evaporation"],
    code: "DEMO.SCI.2.ES.1",
    grade: "2",
    text: "Follow water through evaporation, clouds and rain back to rivers and seas.",
  },
  {
    keywords: ["poem", "poetry"],
    code: "DEMO.ELA.4.RL.5",
    grade: "4",
    text: "Tell how a poem's verses, rhythm and line breaks differ from prose.",
  },
  {
    keywords: ["letter", "alphabet", "phonics"],
    code: "DEMO.ELA.K.RF.1",
    grade: "K",
    text: "Name every upper- and lowercase letter and the sound it most often makes.",
  },
] as const;

const NOTE = "(offline demo curriculum; not a real standard)";

/** The best standard for a topic and, when given, a grade; the grade breaks ties between topic matches. */
export function findStandard(topic: string, grade?: string): string {
  const text = topic.toLowerCase();
  const matches = STANDARDS.filter((standard) => standard.keywords.some((keyword) => text.includes(keyword)));
  if (matches.length === 0) {
    const known = STANDARDS.map((standard) => standard.keywords[0]).join(", ");
    return `No standard in the demo table matches "${topic.slice(0, 100)}". Topics it knows: ${known}.`;
  }
  const wanted = (grade ?? topic).match(/\b(k|1[0-2]|[1-9])\b/i)?.[1]?.toUpperCase();
  const standard = matches.find((candidate) => candidate.grade === wanted) ?? matches[0];
  return `${standard?.code} (grade ${standard?.grade}): ${standard?.text} ${NOTE}`;
}

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

function lessonServer(): McpServer {
  const server = new McpServer(
    { name: "demo-lesson", version: "1.0.0" },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  server.registerTool(
    "find_standard",
    {
      description: "Finds the curriculum standard for a lesson topic and grade (an offline demo table).",
      inputSchema: {
        topic: z.string().min(1).max(500).describe("What the lesson is about, e.g. fractions"),
        grade: z.string().max(20).optional().describe("The grade: K or 1 to 12"),
      },
      annotations: { title: "Find a curriculum standard", readOnlyHint: true, openWorldHint: false },
    },
    async ({ topic, grade }) => text(findStandard(topic, grade)),
  );
  return server;
}

function classroomServer(): McpServer {
  const server = new McpServer(
    { name: "demo-classroom", version: "1.0.0" },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  server.registerTool(
    "post_announcement",
    {
      description: "Posts an announcement to a class (a demo: nothing is sent anywhere).",
      inputSchema: {
        message: z.string().min(1).max(2000).describe("The announcement"),
        title: z.string().max(200).optional().describe("A short title"),
        classId: z.string().max(100).optional().describe("Which class; the demo class when omitted"),
      },
      annotations: {
        title: "Post a class announcement",
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async ({ message, title, classId }) =>
      text(
        `Announcement posted to ${classId ?? "the demo class"}${title ? ` with the title "${title}"` : ""} ` +
          `(demo: nothing was sent). It reads: ${message}`,
      ),
  );
  return server;
}

const SERVERS: Record<string, () => McpServer> = { lesson: lessonServer, classroom: classroomServer };

/**
 * Answers one request to the demo server `name`, or null when there is none. Stateless: a new server per
 * request, JSON answers; GET and DELETE are 405 (no event stream, no sessions to end).
 */
export async function serveDemoMcp(name: string, request: Request): Promise<Response | null> {
  const build = Object.hasOwn(SERVERS, name) ? SERVERS[name] : undefined;
  if (!build) return null;
  if (request.method !== "POST") {
    return Response.json(
      { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null },
      { status: 405, headers: { Allow: "POST" } },
    );
  }
  const server = build();
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // The answer is whole (JSON mode): nothing of this server outlives the request.
    await server.close();
  }
}
