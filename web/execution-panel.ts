// One prompt's panel: its status, attempts, duration, tokens and cost; its output rendered as
// Markdown while it streams (or raw, on a toggle) and followed to the bottom until the reader scrolls
// up; copy as Markdown or as plain text; "Rerun from here" once the run has ended.
import type { PromptState } from "../src/client";
import { h } from "./dom";
import { money, seconds } from "./format";
import { MarkdownView } from "./markdown";

/** Within this many pixels of the bottom, the panel keeps following new text. */
const FOLLOW_SLACK_PX = 24;

/** Writes `text` to the clipboard and says so on `button` for a moment. */
async function copy(button: HTMLButtonElement, text: string): Promise<void> {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    button.textContent = "Copy failed";
  }
  setTimeout(() => (button.textContent = label), 1500);
}

export class PromptPanel {
  readonly element: HTMLElement;
  private readonly status = h("span", { class: "status" });
  private readonly meta = h("span", { class: "meta" });
  // Focusable, so a keyboard can scroll a long answer.
  private readonly scroller = h("div", { class: "output", role: "region", tabindex: 0 });
  private readonly raw = h("pre", { class: "raw", hidden: true });
  private readonly view: MarkdownView;
  private readonly rerun: HTMLButtonElement;
  private following = true;
  private output = "";

  constructor(prompt: PromptState, onRerun: (promptId: string) => void) {
    this.view = new MarkdownView(() => this.follow());
    this.scroller.setAttribute("aria-label", `${prompt.name} output`);
    this.scroller.append(this.view.element, this.raw);
    this.scroller.addEventListener("scroll", () => {
      const { scrollTop, clientHeight, scrollHeight } = this.scroller;
      this.following = scrollTop + clientHeight >= scrollHeight - FOLLOW_SLACK_PX;
    });
    const toggle = h("button", { type: "button", "aria-pressed": "false" }, "Show raw text");
    toggle.addEventListener("click", () => {
      const showRaw = this.raw.hidden;
      this.raw.hidden = !showRaw;
      this.view.element.hidden = showRaw;
      toggle.setAttribute("aria-pressed", String(showRaw));
      toggle.textContent = showRaw ? "Show formatted" : "Show raw text";
    });
    const copyMarkdown = h("button", { type: "button" }, "Copy Markdown");
    copyMarkdown.addEventListener("click", () => void copy(copyMarkdown, this.output));
    const copyText = h("button", { type: "button" }, "Copy text");
    copyText.addEventListener("click", () => {
      this.view.flush();
      // biome-ignore lint/performance/useDomNodeTextContent: plain text as rendered (paragraph breaks kept) is the point
      void copy(copyText, this.view.element.innerText.trim());
    });
    this.rerun = h("button", { type: "button", hidden: true, onclick: () => onRerun(prompt.id) }, "Rerun from here");
    this.element = h(
      "article",
      { class: "panel", "data-prompt": prompt.name, "aria-label": prompt.name },
      h("h3", {}, prompt.name),
      h("p", { class: "panel-status" }, this.status, " ", this.meta),
      h(
        "div",
        { class: "tools", role: "group", "aria-label": `${prompt.name} actions` },
        toggle,
        copyMarkdown,
        copyText,
        this.rerun,
      ),
      this.scroller,
    );
  }

  update(prompt: PromptState, runEnded: boolean): void {
    const retrying = prompt.status === "running" && prompt.restartedBecause !== null;
    this.status.textContent = retrying ? `retrying (attempt ${prompt.attempt})` : prompt.status;
    this.status.className = `status ${retrying ? "retrying" : prompt.status}`;
    const details = [
      prompt.model,
      prompt.reused ? "reused from the earlier run" : null,
      retrying ? `started again: ${prompt.restartedBecause?.message}` : null,
      prompt.attempt > 1 && !retrying ? `${prompt.attempt} attempts` : null,
      seconds(prompt.durationMs),
      prompt.usage ? `${prompt.usage.inputTokens + prompt.usage.outputTokens} tokens` : null,
      prompt.costMicros === null ? null : money(prompt.costMicros),
      prompt.error?.message,
    ].filter(Boolean);
    this.meta.textContent = details.join(" · ");
    this.element.classList.toggle("reused", prompt.reused);
    if (prompt.output !== this.output) {
      this.output = prompt.output;
      this.raw.textContent = prompt.output;
      this.view.set(prompt.output);
    }
    if (prompt.status !== "running" && prompt.status !== "pending") this.view.flush();
    this.rerun.hidden = !runEnded;
  }

  private follow(): void {
    if (this.following) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
