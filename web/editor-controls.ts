// The editor's small controls: labelled text and number inputs, a typed select, the problems list of an
// item, and an item's move and remove buttons.
import { h } from "./dom";
import type { Problems } from "./editor-checks";

/** A labelled text input (or textarea); `onInput` gets each change. */
export function textInput(
  id: string,
  label: string,
  value: string,
  onInput: (value: string) => void,
  options: { multiline?: boolean; describedBy?: string } = {},
): [HTMLLabelElement, HTMLInputElement | HTMLTextAreaElement] {
  const attrs = { id, "aria-describedby": options.describedBy };
  const control = options.multiline ? h("textarea", { ...attrs, rows: 5 }) : h("input", { ...attrs, type: "text" });
  control.value = value;
  control.addEventListener("input", () => onInput(control.value));
  return [h("label", { for: id }, label), control];
}

/** Two labelled controls side by side (stacked when narrow). */
export const pair = (left: readonly HTMLElement[], right: readonly HTMLElement[] | null): HTMLElement =>
  h("div", { class: "pair" }, h("div", {}, ...left), right ? h("div", {}, ...right) : null);

/** A labelled number input; empty reads as null. */
export function numberInput(
  id: string,
  label: string,
  value: number | null | undefined,
  attrs: Record<string, string>,
  onInput: (value: number | null) => void,
): HTMLElement[] {
  const control = h("input", { id, type: "number", ...attrs });
  control.value = value === null || value === undefined ? "" : String(value);
  control.addEventListener("input", () => onInput(control.value === "" ? null : Number(control.value)));
  return [h("label", { for: id }, label), control];
}

/** A select of `options` (value, text); `onChange` gets the value chosen, typed as the options are. */
export function select<T extends string>(
  id: string,
  options: readonly (readonly [T, string])[],
  value: T,
  onChange: (value: T) => void,
): HTMLSelectElement {
  const element = h(
    "select",
    { id },
    ...options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)),
  );
  element.addEventListener("change", () => {
    const chosen = options.find(([optionValue]) => optionValue === element.value);
    if (chosen) onChange(chosen[0]);
  });
  return element;
}

/** Shows an item's problems in `list` (errors first); returns how many warnings there are. */
export function showProblems(list: HTMLElement, problems: Problems): number {
  list.replaceChildren(
    ...problems.errors.map((text) => h("li", { class: "error" }, text)),
    ...problems.warnings.map((text) => h("li", { class: "warning" }, h("span", { "aria-hidden": "true" }, "⚠ "), text)),
  );
  list.hidden = problems.errors.length + problems.warnings.length === 0;
  return problems.warnings.length;
}

const ACTION_TEXT = { up: "Move {} up", down: "Move {} down", remove: "Remove {}" } as const;

/** Names an item's buttons after it as it is now ("Move step quiz up"), so they follow a rename. */
export function nameActions(group: HTMLElement, what: string): void {
  group.setAttribute("aria-label", `${what} actions`);
  for (const button of group.querySelectorAll<HTMLButtonElement>("[data-change]")) {
    const change = button.dataset.change as keyof typeof ACTION_TEXT;
    button.textContent = ACTION_TEXT[change].replace("{}", what);
  }
}

/**
 * Move up, move down and remove for item `index` of a list of `count`; `act` does it and redraws, then
 * focus goes where the reader would look next (the moved item's same button, or the list's add button).
 */
export function itemActions(
  index: number,
  count: number,
  what: string,
  act: (change: "up" | "down" | "remove") => void,
): HTMLElement {
  const button = (change: "up" | "down" | "remove", disabled: boolean) =>
    h("button", {
      type: "button",
      class: change === "remove" ? "danger" : undefined,
      disabled,
      "data-change": change,
      onclick: () => act(change),
    });
  const group = h(
    "div",
    { class: "tools", role: "group" },
    button("up", index === 0),
    button("down", index === count - 1),
    button("remove", false),
  );
  nameActions(group, what);
  return group;
}

/** What a list of items in the editor (fields, steps) needs to change itself. */
export interface EditableList<T> {
  /** The items, changed in place. */
  list: T[];
  /** The element holding one child per item. */
  items: HTMLElement;
  /** The list's add button. */
  add: HTMLElement;
  /** Redraws the items and tells the editor the tool changed. */
  redraw: () => void;
}

/**
 * Moves item `i` up or down, or removes it, then redraws; focus goes to the moved item's same button
 * (or its other one when it reached an end), or to the add button after a removal.
 */
export function changeItem<T>(target: EditableList<T>, i: number, change: "up" | "down" | "remove"): void {
  const [moved] = target.list.splice(i, 1);
  const to = change === "up" ? i - 1 : i + 1;
  if (moved && change !== "remove") target.list.splice(to, 0, moved);
  target.redraw();
  const item = target.items.children[to];
  const focus =
    change === "remove"
      ? target.add
      : (item?.querySelector<HTMLButtonElement>(`[data-change="${change}"]:not(:disabled)`) ??
        item?.querySelector<HTMLButtonElement>("[data-change]:not(:disabled)"));
  focus?.focus();
}

/** Appends a new item, redraws, and puts focus in its first input. */
export function addItem<T>(target: EditableList<T>, item: T): void {
  target.list.push(item);
  target.redraw();
  target.items.lastElementChild?.querySelector<HTMLInputElement>("input")?.focus();
}
