// A compact actions menu (a "⋯" button that opens a list of actions), shown only when some action
// applies. Keyboard as the ARIA menu button pattern: Enter or Space opens it on the first item, the
// arrows, Home and End move, Escape closes it back to the button, Tab or a click elsewhere closes it.
import { h } from "./dom";

export interface MenuItem {
  label: string;
  run: () => void;
}

let menuCount = 0;

export class ActionsMenu {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly list: HTMLElement;
  private items: HTMLButtonElement[] = [];
  private actions: readonly MenuItem[] = [];
  private readonly outside = (event: Event) => {
    if (!this.element.contains(event.target as Node)) this.close(false);
  };

  /** `label` names the button for assistive technology ("Actions for outline"). */
  constructor(label: string) {
    const id = `menu-${++menuCount}`;
    this.button = h(
      "button",
      { type: "button", class: "menu-button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": id },
      h("span", { "aria-hidden": "true" }, "⋯"),
    );
    this.button.setAttribute("aria-label", label);
    this.button.title = label;
    this.list = h("div", { role: "menu", id, class: "menu", hidden: true, "aria-label": label });
    this.element = h("div", { class: "menu-wrap", hidden: true }, this.button, this.list);
    this.button.addEventListener("click", () => (this.list.hidden ? this.open() : this.close(true)));
    this.list.addEventListener("keydown", (event) => this.onKey(event));
  }

  /** Replaces the actions; with none, the button is hidden. */
  setItems(items: readonly MenuItem[]): void {
    const same = items.map((item) => item.label).join("\n") === this.items.map((item) => item.textContent).join("\n");
    // The elements read the current actions when chosen, so the same labels keep their elements (and focus).
    this.actions = items;
    if (same) return;
    this.items = items.map((item, i) =>
      h(
        "button",
        {
          type: "button",
          role: "menuitem",
          tabindex: -1,
          onclick: () => {
            const action = this.actions[i];
            if (action) this.choose(action);
          },
        },
        item.label,
      ),
    );
    this.list.replaceChildren(...this.items);
    this.element.hidden = items.length === 0;
    if (items.length === 0) this.close(false);
  }

  private choose(item: MenuItem): void {
    this.close(true);
    item.run();
  }

  private open(): void {
    this.list.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    document.addEventListener("pointerdown", this.outside);
    this.items[0]?.focus();
  }

  private close(refocus: boolean): void {
    if (this.list.hidden) return;
    this.list.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", this.outside);
    if (refocus) this.button.focus();
  }

  private onKey(event: KeyboardEvent): void {
    const at = this.items.indexOf(document.activeElement as HTMLButtonElement);
    const moveTo = (index: number) => this.items[(index + this.items.length) % this.items.length]?.focus();
    if (event.key === "ArrowDown") moveTo(at + 1);
    else if (event.key === "ArrowUp") moveTo(at - 1);
    else if (event.key === "Home") moveTo(0);
    else if (event.key === "End") moveTo(this.items.length - 1);
    else if (event.key === "Escape") this.close(true);
    else if (event.key === "Tab") this.close(false);
    else return;
    if (event.key !== "Tab") event.preventDefault();
  }
}
