// A step's "Agent step" section: the tools its model may call, ticked from the MCP servers' tools
// (GET /api/mcp/tools: each with its description and whether a person approves each call; a server that
// could not be listed shown as unavailable) and from the author's saved tools as assistants; and its cap
// on model turns. Folded unless the step has tools; the lists load when it is first opened.
import type { McpTools, ToolSummary } from "../src/client";
import { h } from "./dom";
import { numberInput } from "./editor-controls";
import type { EditablePrompt } from "./editor-model";
import { client } from "./session";

/** What an author may pick: null where it could not be loaded. */
export interface AgentChoices {
  mcp: McpTools | null;
  assistants: ToolSummary[] | null;
}

/** The choices, asked for once (per editor) when a step first needs them; `selfId` is left out of the assistants. */
export function agentChoices(selfId: string | undefined): () => Promise<AgentChoices> {
  let loading: Promise<AgentChoices> | null = null;
  return () => {
    loading ??= Promise.all([
      client()
        .mcp.tools()
        .catch(() => null),
      client()
        .tools.list("all")
        .then((tools) => tools.filter((tool) => tool.id !== selfId))
        .catch(() => null),
    ]).then(([mcp, assistants]) => ({ mcp, assistants }));
    return loading;
  };
}

/** One tick box: its label (a name and a note) and a description read with it. */
interface Choice {
  reference: string;
  label: string;
  note?: string;
  description?: string;
}

const serverOf = (reference: string) => reference.slice(0, reference.indexOf("."));

/** Each server's tools (and "every tool of it"), the unavailable servers, and the assistants. */
function groupsOf(choices: AgentChoices): { legend: string; note?: string; items: Choice[] }[] {
  const groups: { legend: string; note?: string; items: Choice[] }[] = [];
  const byServer = new Map<string, Choice[]>();
  for (const tool of choices.mcp?.tools ?? []) {
    const server = serverOf(tool.name);
    const items = byServer.get(server) ?? [
      { reference: `${server}.*`, label: `Every tool of ${server}`, description: "Also the tools it adds later." },
    ];
    items.push({
      reference: tool.name,
      label: tool.name,
      note: tool.needsApproval ? "asks you first" : "runs without asking",
      description: tool.description,
    });
    byServer.set(server, items);
  }
  for (const [server, items] of byServer) groups.push({ legend: `Tools of ${server}`, items });
  for (const { server, error } of choices.mcp?.errors ?? [])
    groups.push({ legend: `Tools of ${server}`, note: `Unavailable just now: ${error}`, items: [] });
  if (!choices.mcp) groups.push({ legend: "MCP tools", note: "The tool list could not be loaded.", items: [] });
  groups.push({
    legend: "Saved tools, as assistants",
    note: choices.assistants === null ? "Your tools could not be loaded." : undefined,
    items: (choices.assistants ?? []).map((tool) => ({
      reference: `assistant:${tool.id}`,
      label: tool.name,
      note: tool.isOwner ? undefined : "shared",
      description: tool.description || undefined,
    })),
  });
  return groups;
}

/** The section for step `i`; `changed` runs after every change. */
export function agentSection(
  prompt: EditablePrompt,
  i: number,
  load: () => Promise<AgentChoices>,
  changed: () => void,
): HTMLElement {
  const summary = h("summary", {});
  const lists = h("div", { class: "agent-tools", "aria-busy": "true" }, h("p", { class: "meta" }, "Loading tools…"));
  const label = () => {
    const count = prompt.tools.length;
    summary.textContent = `Agent step: tools the model may call${count ? ` (${count} chosen)` : ""}`;
  };
  label();
  const toggle = (reference: string, on: boolean) => {
    prompt.tools = on
      ? [...prompt.tools.filter((item) => item !== reference), reference]
      : prompt.tools.filter((item) => item !== reference);
    label();
    changed();
  };
  let n = 0;
  const box = (choice: Choice): HTMLElement => {
    const id = `p${i}-tool-${n++}`;
    const input = h("input", {
      type: "checkbox",
      id,
      value: choice.reference,
      checked: prompt.tools.includes(choice.reference),
      "aria-describedby": choice.description ? `${id}-about` : undefined,
      onchange: (event: Event) => toggle(choice.reference, (event.target as HTMLInputElement).checked),
    });
    return h(
      "div",
      { class: "choice" },
      h(
        "label",
        { for: id, class: "check" },
        input,
        " ",
        choice.label,
        choice.note ? h("span", { class: "meta" }, ` (${choice.note})`) : null,
      ),
      choice.description ? h("p", { class: "meta", id: `${id}-about` }, choice.description) : null,
    );
  };
  const fill = (choices: AgentChoices) => {
    n = 0;
    const groups = groupsOf(choices);
    // Chosen before but not offered now (a server down, an assistant gone): kept until unticked.
    const offered = new Set(groups.flatMap((group) => group.items.map((item) => item.reference)));
    const missing = prompt.tools.filter((reference) => !offered.has(reference));
    if (missing.length)
      groups.push({
        legend: "Chosen, not listed just now",
        items: missing.map((reference) => ({ reference, label: reference })),
      });
    lists.replaceChildren(
      ...groups.map((group) =>
        h(
          "fieldset",
          {},
          h("legend", {}, group.legend),
          group.note ? h("p", { class: "meta" }, group.note) : null,
          ...group.items.map(box),
          !group.note && group.items.length === 0 ? h("p", { class: "meta" }, "None yet.") : null,
        ),
      ),
    );
    lists.removeAttribute("aria-busy");
  };
  const section = h(
    "details",
    { class: "more agent", open: prompt.tools.length > 0 },
    summary,
    h(
      "p",
      { class: "meta", id: `p${i}-agent-help` },
      "Tick tools to make this step an agent: its model may call them, turn after turn, before it answers. " +
        "A tool that asks you first waits for your approval in the run.",
    ),
    lists,
    ...numberInput(
      `p${i}-max-steps`,
      "Max steps: model turns (1–50, 10 when empty)",
      prompt.maxSteps,
      { min: "1", max: "50", step: "1", "aria-describedby": `p${i}-agent-help` },
      (value) => {
        prompt.maxSteps = value;
        changed();
      },
    ),
  );
  let loaded = false;
  const ensure = () => {
    if (loaded || !section.open) return;
    loaded = true;
    void load().then(fill);
  };
  section.addEventListener("toggle", ensure);
  ensure();
  return section;
}
