// One form control per input field type (the run form, the editor's "Try it", the rerun dialog), each
// labelled with the field's label, able to read its value and to be filled with an earlier run's.
import { h } from "./dom";

/** An input field as the controls read it (a tool's, or an execution's snapshot of it). */
export interface FieldSpec {
  name: string;
  label: string;
  type: string;
  required?: boolean;
  options?: string[] | null;
}

export interface Control {
  field: FieldSpec;
  /** The control itself, with `id`. */
  element: HTMLElement;
  /** The label, the control and a slot for its error, ready to append. */
  parts: HTMLElement[];
  /** The value the API takes (undefined: left empty). */
  value: () => unknown;
  fill: (value: unknown) => void;
  /** Shows (or clears, with "") the error the API gave for this field. */
  setError: (message: string) => void;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

function widget(field: FieldSpec, id: string, described: Record<string, string | undefined>) {
  switch (field.type) {
    case "textarea": {
      const element = h("textarea", { id, rows: 4, ...described });
      return { element, value: () => element.value, fill: (value: unknown) => (element.value = String(value)) };
    }
    case "number": {
      const element = h("input", { id, type: "number", ...described });
      return {
        element,
        value: () => (element.value === "" ? undefined : Number(element.value)),
        fill: (value: unknown) => (element.value = String(value)),
      };
    }
    case "boolean": {
      const element = h("input", { id, type: "checkbox", ...described });
      return { element, value: () => element.checked, fill: (value: unknown) => (element.checked = value === true) };
    }
    case "select": {
      const element = h(
        "select",
        { id, ...described },
        h("option", { value: "" }, "Choose…"),
        ...(field.options ?? []).map((option) => h("option", { value: option }, option)),
      );
      return {
        element,
        value: () => element.value || undefined,
        fill: (value: unknown) => (element.value = String(value)),
      };
    }
    case "multi_select": {
      const boxes = (field.options ?? []).map((option, i) => ({
        option,
        box: h("input", { type: "checkbox", id: `${id}-${i}` }),
      }));
      const element = h(
        "div",
        { id, role: "group", class: "choices", "aria-label": field.label, ...described },
        ...boxes.map(({ option, box }, i) => h("label", { for: `${id}-${i}`, class: "check" }, box, ` ${option}`)),
      );
      return {
        element,
        value: () => boxes.filter(({ box }) => box.checked).map(({ option }) => option),
        fill: (value: unknown) => {
          const chosen = asList(value);
          for (const { option, box } of boxes) box.checked = chosen.includes(option);
        },
      };
    }
    default: {
      const element = h("input", { id, type: "text", ...described });
      return { element, value: () => element.value, fill: (value: unknown) => (element.value = String(value)) };
    }
  }
}

/** The control for `field`, its id `${prefix}${field.name}` (its error in `${that id}-error`). */
export function control(field: FieldSpec, prefix: string): Control {
  const id = `${prefix}${field.name}`;
  const errorId = `${id}-error`;
  const described = { "aria-describedby": errorId, "aria-required": field.required ? "true" : undefined };
  const { element, value, fill } = widget(field, id, described);
  const error = h("p", { class: "error", id: errorId });
  const label =
    field.type === "multi_select"
      ? h("p", { class: "label" }, field.label, field.required ? " (required)" : "")
      : h("label", { for: id }, field.label, field.required ? " (required)" : "");
  return {
    field,
    element,
    parts: [label, element, error],
    value,
    fill,
    setError: (message) => (error.textContent = message),
  };
}

/** The values of `controls` the API takes (empty ones left out). */
export const valuesOf = (controls: readonly Control[]): Record<string, unknown> =>
  Object.fromEntries(
    controls.map(({ field, value }) => [field.name, value()]).filter(([, value]) => value !== undefined),
  );

/** Fills `controls` with `inputs` (an earlier run's); fields it has no value for stay as they are. */
export function fillControls(controls: readonly Control[], inputs: Record<string, unknown>): void {
  for (const { field, fill } of controls) {
    const value = inputs[field.name];
    if (value !== undefined && value !== null) fill(value);
  }
}

/** Puts each `inputs.<name>` error of an API answer beside its control; returns whether any landed. */
export function showInputErrors(controls: readonly Control[], errors: { path: string; message: string }[]): boolean {
  let shown = false;
  for (const control of controls) control.setError("");
  for (const { path, message } of errors) {
    const target = controls.find((item) => `inputs.${item.field.name}` === path);
    if (target) {
      target.setError(message);
      shown = true;
    }
  }
  return shown;
}
