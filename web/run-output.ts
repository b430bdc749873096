// A run's output as it streams: the status and spending, cancel and download, then the answer (the
// last step's prompts) above the steps before it. While it runs the live prompt is the one open; when
// it ends the answer is open whole, scrolled into view from its start (right under the status), and
// the steps fold to a line each. An agent step's tool calls show under its output; while one waits for a
// decision the run says so, and that step stays open (pinned) with the question brought into view once.
// A reload replays the events, so text is never doubled and a waiting question asks again. Used by the
// run screen and the editor's "Try it".
import { type ExecutionRecord, type ExecutionState, type ExecutionStatus, foldEvent } from "../src/client";
import { errorText, h } from "./dom";
import { money, seconds, slug } from "./format";
import { PromptPanel } from "./prompt-panel";
import { asMarkdown, download, inputText, labelled } from "./run-download";
import { client } from "./session";
import { AgentCalls } from "./tool-calls";

/** The banner for each way a run ends: a new ending is a compile error until it has one. */
const ENDINGS: Record<Exclude<ExecutionStatus, "running" | "waiting">, (state: ExecutionState) => string> = {
  completed: (state) =>
    // Cost only when something was priced: unpriced and free models spend nothing worth a figure.
    `Completed in ${seconds(state.durationMs)} · ${state.usage?.inputTokens ?? 0} tokens in, ${state.usage?.outputTokens ?? 0} out${state.spentMicros > 0 ? ` · ${money(state.spentMicros)}` : ""}.`,
  failed: (state) => `Failed: ${state.error?.message ?? "unknown error"}`,
  canceled: () => "Canceled. Text received before the cancel is kept; rerun from any prompt, or run again.",
  timed_out: () => "Timed out: the execution reached its time limit. Text received so far is kept.",
};

const WAITING_BANNER = "Waiting for your approval: a step asks to use a tool (below).";

/** What one followed run has on screen: a panel per prompt, the answer's prompts, the agent steps' calls. */
interface RunView {
  panels: Map<string, PromptPanel>;
  answers: Set<string>;
  calls: AgentCalls;
}

export interface RunOutputOptions {
  /** Rerun an ended run from one of its prompts (left out: no rerun, as in "Try it"). */
  onRerun?: (record: ExecutionRecord, promptId: string) => void;
  /** Told the record of each run it follows (the run screen fills its form with the run's inputs). */
  onRecord?: (record: ExecutionRecord) => void;
  /** A run deleted from here (left out: no delete, as in "Try it"). */
  onDeleted?: (executionId: string) => void;
}

function inputsList(record: ExecutionRecord): HTMLElement | null {
  // Only what was filled in: an optional input left empty says nothing about the run.
  const entries = labelled(record).filter(({ value }) => inputText(value).trim() !== "");
  if (entries.length === 0) return null;
  return h(
    "dl",
    { class: "inputs", "aria-label": "Inputs of this run" },
    ...entries.flatMap(({ label, value }) => [h("dt", {}, label), h("dd", {}, inputText(value))]),
  );
}

export class RunOutput {
  readonly element: HTMLElement;
  private readonly banner = h("p", { class: "banner", role: "status" });
  private readonly spending = h("p", { class: "meta", "aria-live": "polite" });
  private readonly facts = h("div", { class: "run-facts" });
  private readonly cancel = h("button", { type: "button", hidden: true }, "Cancel");
  private readonly save = h("button", { type: "button", hidden: true }, "Download .md");
  private readonly remove = h("button", { type: "button", class: "danger", hidden: true }, "Delete run");
  private readonly answer = h("section", { class: "answer", "aria-labelledby": "answer-heading", hidden: true });
  private readonly steps = h("section", { class: "steps", "aria-labelledby": "steps-heading", hidden: true });
  private following: AbortController | null = null;

  constructor(private readonly options: RunOutputOptions = {}) {
    this.element = h(
      "div",
      { class: "run-output" },
      this.banner,
      this.spending,
      this.facts,
      h("div", { class: "actions" }, this.cancel, this.save, this.remove),
      this.answer,
      this.steps,
    );
  }

  /** Before any run: what to do. */
  idle(message: string): void {
    this.following?.abort();
    this.reset(message);
  }

  /** Follows `executionId` until it ends or `signal` (or the next follow) stops it. */
  async follow(executionId: string, signal: AbortSignal): Promise<void> {
    this.following?.abort();
    const mine = new AbortController();
    this.following = mine;
    const stop = AbortSignal.any([signal, mine.signal]);
    this.reset("Connecting…");
    let record: ExecutionRecord | null = null;
    void client()
      .executions.get(executionId)
      .then((loaded) => {
        if (stop.aborted) return;
        record = loaded;
        this.showFacts(loaded);
        this.options.onRecord?.(loaded);
      })
      .catch(() => undefined);
    this.cancel.onclick = () =>
      void client()
        .executions.cancel(executionId)
        .catch((error: unknown) => (this.banner.textContent = errorText(error)));
    this.remove.onclick = () => void this.delete(executionId, mine);
    let state: ExecutionState | null = null;
    this.save.onclick = () => {
      if (state) download(`${slug(state.toolName)}-${executionId.slice(0, 8)}.md`, asMarkdown(record, state));
    };
    const calls = new AgentCalls((callId, decision) => client().executions.decide(executionId, callId, decision));
    const view: RunView = { panels: new Map(), answers: new Set(), calls };
    try {
      for await (const event of client().executions.stream(executionId, { signal: stop })) {
        state = foldEvent(state, event);
        if (!state) continue;
        if (view.panels.size === 0) view.answers = this.build(state, view.panels, executionId, stop);
        this.render(state, view);
      }
    } catch (error) {
      if (!stop.aborted) this.banner.textContent = `Lost the connection: ${errorText(error)}. Reload to resume.`;
      return;
    }
    if (stop.aborted) return;
    // execution.cost comes at most once a second: the record has the final figure of a run that ended.
    const final = await client()
      .executions.get(executionId)
      .catch(() => null);
    if (final && !stop.aborted && (final.costMicros || final.budgetMicros !== null))
      this.showSpending(final.costMicros ?? 0, final.budgetMicros);
  }

  /** Deletes the run after a confirmation: it stops following it, and the screen moves on. */
  private async delete(executionId: string, following: AbortController): Promise<void> {
    const onDeleted = this.options.onDeleted;
    if (!onDeleted || !confirm("Delete this run? Its inputs and answers are removed for good.")) return;
    try {
      await client().executions.delete(executionId);
    } catch (error) {
      this.banner.textContent = `Could not delete the run: ${errorText(error)}`;
      return;
    }
    following.abort();
    onDeleted(executionId);
  }

  private reset(message: string): void {
    this.banner.textContent = message;
    this.banner.className = "banner";
    this.spending.textContent = "";
    this.facts.replaceChildren();
    this.cancel.hidden = true;
    this.save.hidden = true;
    this.remove.hidden = true;
    this.answer.hidden = true;
    this.steps.hidden = true;
    this.answer.replaceChildren();
    this.steps.replaceChildren();
  }

  private showFacts(record: ExecutionRecord): void {
    this.facts.replaceChildren(
      record.sourceExecutionId
        ? h(
            "p",
            { class: "meta" },
            "A rerun of ",
            h("a", { href: `#/executions/${record.sourceExecutionId}` }, "an earlier run"),
          )
        : "",
      inputsList(record) ?? "",
    );
  }

  /** One panel per prompt: the answer (the last step's prompts) first, then the steps before it by step. */
  private build(
    state: ExecutionState,
    panels: Map<string, PromptPanel>,
    executionId: string,
    signal: AbortSignal,
  ): Set<string> {
    const onRerun = this.options.onRerun;
    const rerunFrom = onRerun
      ? (promptId: string) =>
          void client()
            .executions.get(executionId)
            .then((fresh) => {
              if (!signal.aborted) onRerun(fresh, promptId);
            })
            .catch((error: unknown) => (this.banner.textContent = errorText(error)))
      : null;
    const positions = [...new Set(state.prompts.map((prompt) => prompt.position))].sort((a, b) => a - b);
    const last = positions.at(-1);
    const row = (position: number) => {
      const element = h("div", { class: "row" });
      for (const prompt of state.prompts.filter((item) => item.position === position)) {
        const panel = new PromptPanel(prompt, rerunFrom);
        panels.set(prompt.id, panel);
        element.append(panel.element);
      }
      return element;
    };
    const answerCount = state.prompts.filter((prompt) => prompt.position === last).length;
    this.answer.replaceChildren(
      h("h2", { id: "answer-heading" }, answerCount > 1 ? "Answers" : "Answer"),
      row(last ?? 0),
    );
    const earlier = positions.slice(0, -1);
    this.steps.replaceChildren(h("h2", { id: "steps-heading" }, "Steps before the answer"), ...earlier.map(row));
    this.answer.hidden = false;
    this.steps.hidden = earlier.length === 0;
    this.banner.textContent = "Running…";
    this.cancel.hidden = false;
    this.save.hidden = false;
    this.remove.hidden = this.options.onDeleted === undefined;
    return new Set(state.prompts.filter((prompt) => prompt.position === last).map((prompt) => prompt.id));
  }

  private render(state: ExecutionState, view: RunView): void {
    const { panels, answers } = view;
    const ended = state.status !== "running" && state.status !== "waiting";
    let asking: HTMLElement | null = null;
    for (const prompt of state.prompts) {
      const panel = panels.get(prompt.id);
      if (!panel) continue;
      panel.update(prompt, ended);
      const question = view.calls.show(prompt, panel.items);
      asking ??= question;
      // A step waiting for a decision stays open, whatever the reader chose, until it is decided.
      panel.pinned = prompt.status === "waiting";
      const hasText = prompt.output !== "";
      // While it runs, the live prompt is the one open; after, the answer, and what stopped with text.
      panel.suggest(
        ended
          ? hasText && (answers.has(prompt.id) || prompt.status === "failed" || prompt.status === "canceled")
          : prompt.status === "running",
      );
    }
    // Into view once, when a question appears; the focus stays where the reader has it.
    asking?.scrollIntoView({ block: "nearest" });
    if (state.spentMicros > 0 || state.budgetMicros !== null) this.showSpending(state.spentMicros, state.budgetMicros);
    if (state.status === "waiting" || state.status === "running") {
      // Set only on a change: the banner is a live region, and the same words again would be read again.
      const [text, className] =
        state.status === "waiting" ? [WAITING_BANNER, "banner waiting"] : ["Running…", "banner"];
      if (this.banner.textContent !== text) this.banner.textContent = text;
      this.banner.className = className;
      return;
    }
    if (this.cancel.hidden) return;
    this.banner.textContent = ENDINGS[state.status](state);
    this.banner.className = `banner ${state.status}`;
    this.cancel.hidden = true;
    for (const id of answers) panels.get(id)?.showWhole();
    const answered = state.prompts.some((prompt) => answers.has(prompt.id) && prompt.output !== "");
    // The answer from its first line (the handout's title, not its end), under the run's status;
    // left where it is when its start is already in the upper half of the screen.
    const top = this.answer.getBoundingClientRect().top;
    if (answered && (top < 0 || top > window.innerHeight / 2)) this.element.scrollIntoView({ block: "start" });
  }

  private showSpending(spent: number, budget: number | null): void {
    this.spending.textContent = `Spent ${money(spent)}${budget === null ? "" : ` of a ${money(budget)} budget`}`;
  }
}
