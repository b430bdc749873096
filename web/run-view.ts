// The run form, generated from the tool's input fields; the API's input errors appear per field.
import { errorText, fieldErrors, h, show } from "./dom";
import { client } from "./session";

type Field = { name: string; label: string; type: string; required: boolean; options?: string[] };

interface Control {
  element: HTMLElement;
  value: () => unknown;
  /** Fills the control with an earlier run's value ("Run again"). */
  fill: (value: unknown) => void;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

function control(field: Field, id: string): Control {
  const described = { "aria-describedby": `err-${field.name}`, "aria-required": field.required ? "true" : undefined };
  switch (field.type) {
    case "textarea": {
      const element = h("textarea", { id, ...described });
      return { element, value: () => element.value, fill: (value) => (element.value = String(value)) };
    }
    case "number": {
      const element = h("input", { id, type: "number", ...described });
      return {
        element,
        value: () => (element.value === "" ? undefined : Number(element.value)),
        fill: (value) => (element.value = String(value)),
      };
    }
    case "boolean": {
      const element = h("input", { id, type: "checkbox", ...described });
      return { element, value: () => element.checked, fill: (value) => (element.checked = value === true) };
    }
    case "select": {
      const element = h(
        "select",
        { id, ...described },
        h("option", { value: "" }, "Choose…"),
        ...(field.options ?? []).map((option) => h("option", { value: option }, option)),
      );
      return { element, value: () => element.value || undefined, fill: (value) => (element.value = String(value)) };
    }
    case "multi_select": {
      const boxes = (field.options ?? []).map((option, i) => ({
        option,
        box: h("input", { type: "checkbox", id: `${id}-${i}` }),
      }));
      const element = h(
        "div",
        { id, role: "group", ...described },
        ...boxes.map(({ option, box }, i) => h("label", { for: `${id}-${i}` }, box, ` ${option}`)),
      );
      return {
        element,
        value: () => boxes.filter(({ box }) => box.checked).map(({ option }) => option),
        fill: (value) => {
          const chosen = asList(value);
          for (const { option, box } of boxes) box.checked = chosen.includes(option);
        },
      };
    }
    default: {
      const element = h("input", { id, type: "text", ...described });
      return { element, value: () => element.value, fill: (value) => (element.value = String(value)) };
    }
  }
}

/** The run form; with `fromExecutionId` ("Run again"), filled with that run's inputs. */
export async function renderRunForm(toolId: string, fromExecutionId?: string): Promise<void> {
  const [tool, earlier] = await Promise.all([
    client().tools.get(toolId),
    fromExecutionId
      ? client()
          .executions.get(fromExecutionId)
          .catch(() => null)
      : null,
  ]);
  const controls = tool.inputFields.map((field) => ({ field, ...control(field, `in-${field.name}`) }));
  for (const { field, fill } of controls) {
    const value = earlier?.inputs[field.name];
    if (value !== undefined && value !== null) fill(value);
  }
  const errors = h("div", { role: "alert" });
  const run = async (event: Event) => {
    event.preventDefault();
    errors.replaceChildren();
    for (const { field } of controls) (document.getElementById(`err-${field.name}`) as HTMLElement).textContent = "";
    const inputs = Object.fromEntries(
      controls.map(({ field, value }) => [field.name, value()]).filter(([, value]) => value !== undefined),
    );
    try {
      const created = await client().executions.create({ toolId, inputs });
      location.hash = `#/executions/${created.id}`;
    } catch (error) {
      errors.append(h("p", { class: "error" }, errorText(error)));
      for (const field of fieldErrors(error)) {
        const slot = document.getElementById(`err-${field.path.replace(/^inputs\./, "")}`);
        if (slot) slot.textContent = field.message;
      }
    }
  };
  show(
    h(
      "form",
      { onsubmit: run, novalidate: true },
      h("h1", { tabindex: -1 }, `Run ${tool.name}`),
      earlier ? h("p", { class: "meta" }, "Filled with the inputs of an earlier run.") : null,
      tool.description ? h("p", { class: "meta" }, tool.description) : null,
      ...controls.flatMap(({ field, element }) => [
        h("label", { for: `in-${field.name}` }, field.label, field.required ? " (required)" : ""),
        element,
        h("p", { class: "error", id: `err-${field.name}` }),
      ]),
      errors,
      h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Run")),
    ),
  );
}
