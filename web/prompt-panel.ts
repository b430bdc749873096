// One prompt of a run: a line that folds (name, status, a preview of its text) over its body (the
// details: model, attempts, duration, tokens, cost; the output as Markdown while it streams, or raw;
// followed to the bottom until the reader scrolls up) and a menu of the actions that apply (copy as
// Markdown or text, raw or formatted, rerun from here). For agent steps: `items` holds sub-items under
// the output (its tool calls and approvals, tool-calls.ts), and `pinned` keeps a panel open and never
// folded (a prompt waiting for a person's approval).
import type { PromptState } from "../src/client";
import { h } from "./dom";
import { money, plainPreview, seconds } from "./format";
import { MarkdownView } from "./markdown";
import { ActionsMenu, type MenuItem } from "./menu";

/** Within this many pixels of the bottom, the output keeps following new text. */
const FOLLOW_SLACK_PX = 24;
let panelCount = 0;

const WAITING: Partial<Record<PromptState["status"], string>> = {
  pending: "waits for the steps before it",
  skipped: "not run",
  waiting: "waits for your approval",
};

export class PromptPanel {
  readonly element: HTMLElement;
  /** Sub-items under the output (an agent step's tool calls and approvals). */
  readonly items = h("div", { class: "sub-items" });
  /** Open and never folded while set (a prompt waiting for approval). */
  pinned = false;
  private readonly fold: HTMLButtonElement;
  private readonly status = h("span", { class: "status" });
  private readonly preview = h("span", { class: "preview" });
  private readonly meta = h("p", { class: "meta panel-meta" });
  private readonly feedback = h("span", { class: "feedback", "aria-live": "polite" });
  // Focusable, so a keyboard can scroll a long answer.
  private readonly scroller = h("div", { class: "output", role: "region", tabindex: 0 });
  private readonly raw = h("pre", { class: "raw", hidden: true });
  private readonly body: HTMLElement;
  private readonly view: MarkdownView;
  private readonly menu: ActionsMenu;
  private following = true;
  /** Where the last follow left the output's scroll position. */
  private followedTo = 0;
  private output = "";
  /** What the reader chose with the fold (null: not chosen; the run decides). */
  private chosen: boolean | null = null;

  constructor(
    prompt: PromptState,
    private readonly onRerun: ((promptId: string) => void) | null,
  ) {
    const bodyId = `panel-${++panelCount}`;
    this.view = new MarkdownView(() => this.follow());
    this.scroller.setAttribute("aria-label", `${prompt.name} output`);
    this.scroller.append(this.view.element, this.raw);
    this.scroller.addEventListener("scroll", () => {
      const { scrollTop, clientHeight, scrollHeight } = this.scroller;
      this.following = scrollTop + clientHeight >= scrollHeight - FOLLOW_SLACK_PX;
    });
    this.fold = h(
      "button",
      { type: "button", class: "fold", "aria-expanded": "false", "aria-controls": bodyId },
      h("span", { class: "name" }, prompt.name),
      " ",
      this.status,
      " ",
      this.preview,
    );
    this.fold.addEventListener("click", () => {
      if (this.pinned) return;
      this.chosen = !this.isOpen();
      this.show(this.chosen);
    });
    this.menu = new ActionsMenu(`Actions for ${prompt.name}`);
    this.body = h("div", { class: "panel-body", id: bodyId, hidden: true }, this.meta, this.scroller, this.items);
    this.element = h(
      "article",
      { class: "panel", "data-prompt": prompt.name, "aria-label": prompt.name },
      h("div", { class: "panel-head" }, h("h3", {}, this.fold), this.feedback, this.menu.element),
      this.body,
    );
  }

  isOpen(): boolean {
    return !this.body.hidden;
  }

  /** What the run would have (the live prompt open, others folded); the reader's own choice wins. */
  suggest(open: boolean): void {
    // A pinned panel cannot be folded; its fold button says so.
    if (this.pinned) this.fold.setAttribute("aria-disabled", "true");
    else this.fold.removeAttribute("aria-disabled");
    this.show(this.pinned || (this.chosen ?? open));
  }

  /** The whole answer, no inner scroll box, shown from its start (a final answer once the run ended). */
  showWhole(): void {
    this.view.flush();
    this.element.classList.add("whole");
    this.scroller.scrollTop = 0;
  }

  update(prompt: PromptState, runEnded: boolean): void {
    const retrying = prompt.status === "running" && prompt.restartedBecause !== null;
    this.status.textContent = retrying ? `retrying (attempt ${prompt.attempt})` : prompt.status;
    this.status.className = `status ${retrying ? "retrying" : prompt.status}`;
    this.meta.textContent = [
      prompt.model,
      prompt.reused ? "reused from the earlier run" : null,
      retrying ? `started again: ${prompt.restartedBecause?.message}` : null,
      prompt.attempt > 1 && !retrying ? `${prompt.attempt} attempts` : null,
      seconds(prompt.durationMs),
      prompt.usage ? `${prompt.usage.inputTokens + prompt.usage.outputTokens} tokens` : null,
      prompt.costMicros === null ? null : money(prompt.costMicros),
      prompt.error?.message,
    ]
      .filter(Boolean)
      .join(" · ");
    this.element.classList.toggle("reused", prompt.reused);
    if (prompt.output !== this.output) {
      this.output = prompt.output;
      this.raw.textContent = prompt.output;
      this.view.set(prompt.output);
    }
    this.preview.textContent = plainPreview(prompt.output) || prompt.error?.message || WAITING[prompt.status] || "";
    if (prompt.status !== "running" && prompt.status !== "pending") this.view.flush();
    this.menu.setItems(this.actions(prompt, runEnded));
  }

  /** Only what applies: copying and the raw view need text; a rerun needs the run to have ended. */
  private actions(prompt: PromptState, runEnded: boolean): MenuItem[] {
    const items: MenuItem[] = [];
    if (this.output) {
      items.push(
        { label: "Copy Markdown", run: () => void this.copy(this.output) },
        {
          label: "Copy text",
          run: () => void this.copy(this.renderedText()),
        },
        { label: this.raw.hidden ? "Show raw text" : "Show formatted", run: () => this.toggleRaw(prompt, runEnded) },
      );
    }
    const rerun = this.onRerun;
    if (runEnded && rerun) items.push({ label: "Rerun from here", run: () => rerun(prompt.id) });
    return items;
  }

  private toggleRaw(prompt: PromptState, runEnded: boolean): void {
    const showRaw = this.raw.hidden;
    this.raw.hidden = !showRaw;
    this.view.element.hidden = showRaw;
    this.chosen = true;
    this.show(true);
    this.menu.setItems(this.actions(prompt, runEnded));
  }

  /** The answer as plain text as it reads (paragraph breaks kept), even while the panel is folded. */
  private renderedText(): string {
    this.view.flush();
    const { hidden: folded } = this.body;
    const { hidden: raw } = this.view.element;
    // Laid out for this one read (no paint happens in between): innerText of an unrendered element loses its breaks.
    this.body.hidden = false;
    this.view.element.hidden = false;
    // biome-ignore lint/performance/useDomNodeTextContent: plain text as rendered (paragraph breaks kept) is the point
    const text = this.view.element.innerText.trim();
    this.body.hidden = folded;
    this.view.element.hidden = raw;
    return text;
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.feedback.textContent = "Copied";
    } catch {
      this.feedback.textContent = "Copy failed";
    }
    setTimeout(() => (this.feedback.textContent = ""), 1500);
  }

  private show(open: boolean): void {
    const opening = open && !this.isOpen();
    this.body.hidden = !open;
    this.fold.setAttribute("aria-expanded", String(open));
    this.element.classList.toggle("open", open);
    if (opening) this.followedTo = this.scroller.scrollTop;
    if (open) this.follow();
  }

  private follow(): void {
    if (!this.isOpen() || this.element.classList.contains("whole")) return;
    // A scroll up since the last follow stops following even before its scroll event arrives: new
    // text can come first, and would otherwise pull the reader back down.
    if (this.scroller.scrollTop < this.followedTo - FOLLOW_SLACK_PX) this.following = false;
    if (!this.following) return;
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.followedTo = this.scroller.scrollTop;
  }
}
