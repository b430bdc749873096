// The run form, generated from the tool's input fields; the API's input errors appear per field.
import { errorText, fieldErrors, h, show } from "./dom";
import { client } from "./session";

type Field = { name: string; label: string; type: string; required: boolean; options?: string[] };

function control(field: Field, id: string): { element: HTMLElement; value: () => unknown } {
  const described = { "aria-describedby": `err-${field.name}`, "aria-required": field.required ? "true" : undefined };
  switch (field.type) {
    case "textarea": {
      const element = h("textarea", { id, ...described });
      return { element, value: () => element.value };
    }
    case "number": {
      const element = h("input", { id, type: "number", ...described });
      return { element, value: () => (element.value === "" ? undefined : Number(element.value)) };
    }
    case "boolean": {
      const element = h("input", { id, type: "checkbox", ...described });
      return { element, value: () => element.checked };
    }
    case "select": {
      const element = h(
        "select",
        { id, ...described },
        h("option", { value: "" }, "Choose…"),
        ...(field.options ?? []).map((option) => h("option", { value: option }, option)),
      );
      return { element, value: () => element.value || undefined };
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
      return { element, value: () => boxes.filter(({ box }) => box.checked).map(({ option }) => option) };
    }
    default: {
      const element = h("input", { id, type: "text", ...described });
      return { element, value: () => element.value };
    }
  }
}

export async function renderRunForm(toolId: string): Promise<void> {
  const tool = await client().tools.get(toolId);
  const controls = tool.inputFields.map((field) => ({ field, ...control(field, `in-${field.name}`) }));
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
      h("h1", {}, `Run ${tool.name}`),
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
