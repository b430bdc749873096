// An agent step's tool calls under its output (SPEC §12): each call's name, arguments (pretty JSON),
// status, decision, duration and result (folded), updated in place as the stream goes on so that a
// reason being typed and the focus are never lost. A call waiting for a person's decision asks, in a
// labelled region: Approve or Deny, with an optional reason; the stream then carries the decision.
import { ApiError, type PromptState, type ToolCallState, type ToolCallStatus, type ToolDecision } from "../src/client";
import { errorText, h } from "./dom";

/** Sends a decision on a call (the run's `executions.decide`). */
export type Decide = (callId: string, decision: ToolDecision) => Promise<unknown>;

const STATUS_TEXT: Record<ToolCallStatus, string> = {
  waiting: "waits for your approval",
  running: "running",
  completed: "completed",
  failed: "failed",
  denied: "denied",
  interrupted: "interrupted",
};

/** Reasons a limit gives for a denial (SPEC §12), said plainly. */
const SYSTEM_REASONS: Record<string, string> = {
  too_many_waiting: "too many of your runs were already waiting for approval",
};

const systemReason = (reason: string): string =>
  Object.hasOwn(SYSTEM_REASONS, reason) ? (SYSTEM_REASONS[reason] ?? reason) : reason;

const REASON_MAX_CHARS = 500;
let callCount = 0;

/** The arguments as the person reads them: pretty JSON, or the model's raw text when it was not JSON. */
const argumentsText = (value: unknown): string =>
  typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? String(value));

const duration = (ms: number | undefined): string | null =>
  ms === undefined ? null : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;

/** What happened to the call, beyond its status: who decided and why, or why it never ran. */
function outcome(call: ToolCallState): string | null {
  if (call.decision === "approve") return "Approved";
  if (call.decision === "deny") {
    if (call.decidedBy === "timeout") return "Denied: no decision came in time";
    if (call.decidedBy === "system")
      return `Denied by the service${call.reason ? `: ${systemReason(call.reason)}` : ""}`;
    return `Denied${call.reason ? `: ${call.reason}` : ""}`;
  }
  if (call.status === "denied") return "Not run: the step ended before a decision";
  if (call.status === "interrupted") return "Interrupted: it may or may not have taken effect";
  return null;
}

/** The Approve / Deny question of one waiting call. */
class Approval {
  readonly element: HTMLElement;
  private readonly reason: HTMLInputElement;
  private readonly approve = h("button", { type: "button", class: "primary" }, "Approve");
  private readonly deny = h("button", { type: "button", class: "danger" }, "Deny");
  private readonly note = h("p", { class: "meta", "aria-live": "polite" });
  private readonly error = h("p", { class: "error", role: "alert" });
  private busy = false;

  constructor(call: ToolCallState, id: number, decide: Decide) {
    const reasonId = `tool-reason-${id}`;
    this.reason = h("input", { id: reasonId, type: "text", maxlength: REASON_MAX_CHARS, autocomplete: "off" });
    this.approve.addEventListener("click", () => void this.send(call.callId, "approve", decide));
    this.deny.addEventListener("click", () => void this.send(call.callId, "deny", decide));
    this.element = h(
      "section",
      { class: "approval", "aria-label": `Approve or deny ${call.name}` },
      h("p", {}, `The step asks to run ${call.name} with the arguments above. Run it?`),
      h("label", { for: reasonId }, "Reason (optional, told to the model)"),
      this.reason,
      h("div", { class: "actions" }, this.approve, this.deny),
      this.note,
      this.error,
    );
  }

  private async send(callId: string, decision: ToolDecision["decision"], decide: Decide): Promise<void> {
    if (this.busy) return;
    const reason = this.reason.value.trim();
    this.setBusy(true);
    this.error.textContent = "";
    this.note.textContent = decision === "approve" ? "Approving…" : "Denying…";
    try {
      await decide(callId, reason ? { decision, reason } : { decision });
      // The buttons stay disabled: the run's stream brings the decision and this question goes away.
      this.note.textContent = decision === "approve" ? "Approved; the run goes on." : "Denied; the run goes on.";
    } catch (error) {
      this.note.textContent = "";
      if (error instanceof ApiError && error.status === 409) {
        // Decided already (another tab, the timeout): the stream brings that decision.
        this.error.textContent = "Already decided.";
        return;
      }
      this.error.textContent = `Could not send the decision: ${errorText(error)}`;
      this.setBusy(false);
    }
  }

  /**
   * aria-disabled rather than `disabled`: a disabled button drops the keyboard's focus to the page, and
   * the focus should stay here until the decision arrives (then it moves to the call).
   */
  private setBusy(busy: boolean): void {
    this.busy = busy;
    for (const button of [this.approve, this.deny]) button.setAttribute("aria-disabled", String(busy));
    this.reason.readOnly = busy;
  }
}

/** One call: its line (name, status, outcome, duration), its arguments, its result and, while it waits, the question. */
class ToolCallItem {
  readonly element: HTMLElement;
  private readonly status = h("span", { class: "status" });
  private readonly facts = h("span", { class: "meta" });
  private readonly args = h("pre", { class: "tool-args" });
  private readonly resultLabel = h("summary", {});
  private readonly resultText = h("pre", {});
  private readonly result = h("details", { class: "tool-result", hidden: true }, this.resultLabel, this.resultText);
  private approval: Approval | null = null;
  private readonly id = ++callCount;

  constructor(
    call: ToolCallState,
    private readonly decide: Decide,
  ) {
    this.element = h(
      "li",
      { class: "tool-call", tabindex: -1, "aria-label": `Tool call ${call.name}` },
      h("p", { class: "tool-line" }, h("code", { class: "tool-name" }, call.name), " ", this.status, " ", this.facts),
      h("p", { class: "label" }, "Arguments"),
      this.args,
      this.result,
    );
  }

  /** Shows `call`; true when it has just begun to wait (its question is new). */
  update(call: ToolCallState): boolean {
    this.status.textContent = STATUS_TEXT[call.status];
    this.status.className = `status ${call.status}`;
    this.facts.textContent = [outcome(call), duration(call.durationMs)].filter(Boolean).join(" · ");
    const args = argumentsText(call.arguments);
    if (this.args.textContent !== args) this.args.textContent = args;
    if (call.output !== undefined && this.resultText.textContent !== call.output) {
      this.resultText.textContent = call.output;
      this.resultLabel.textContent = call.isError ? "Error message" : "Result";
      this.result.hidden = false;
    }
    if (call.status === "waiting") {
      if (this.approval) return false;
      this.approval = new Approval(call, this.id, this.decide);
      this.element.append(this.approval.element);
      return true;
    }
    if (this.approval) {
      // Decided: the question goes; a keyboard that was in it stays on this call, not lost to the page.
      const hadFocus = this.approval.element.contains(document.activeElement);
      this.approval.element.remove();
      this.approval = null;
      if (hadFocus) this.element.focus();
    }
    return false;
  }

  /** The question, while the call waits. */
  question(): HTMLElement | null {
    return this.approval?.element ?? null;
  }
}

/** A prompt's tool calls, in call order. */
class ToolCallList {
  readonly element: HTMLElement;
  private readonly items = new Map<string, ToolCallItem>();

  constructor(
    promptName: string,
    private readonly decide: Decide,
  ) {
    this.element = h("ol", { class: "tool-calls", "aria-label": `Tool calls of ${promptName}` });
  }

  /** Shows `calls`; answers the question of a call that has just begun to wait (to bring into view), if any. */
  update(calls: readonly ToolCallState[]): HTMLElement | null {
    let asking: HTMLElement | null = null;
    for (const call of calls) {
      let item = this.items.get(call.callId);
      if (!item) {
        item = new ToolCallItem(call, this.decide);
        this.items.set(call.callId, item);
        this.element.append(item.element);
      }
      if (item.update(call)) asking ??= item.question();
    }
    return asking;
  }
}

/** Every agent step's calls in a run: a list under a step's output from its first call on. */
export class AgentCalls {
  private readonly lists = new Map<string, ToolCallList>();

  constructor(private readonly decide: Decide) {}

  /** Shows `prompt`'s calls in `container`; the question of a call that has just begun to wait, if any. */
  show(prompt: PromptState, container: HTMLElement): HTMLElement | null {
    if (prompt.toolCalls.length === 0) return null;
    let list = this.lists.get(prompt.id);
    if (!list) {
      list = new ToolCallList(prompt.name, this.decide);
      this.lists.set(prompt.id, list);
      container.append(list.element);
    }
    return list.update(prompt.toolCalls);
  }
}
