// The model picker: the catalogue from GET /api/models with prices, and the current model kept even
// when it is not listed (a tool saved before the catalogue changed).
import type { Model } from "../src/client";
import { h } from "./dom";
import { client } from "./session";

let catalogue: Promise<{ models: Model[]; allowUnlisted: boolean }> | null = null;

/** The catalogue, asked for once per page load. */
export const models = () => {
  catalogue ??= client()
    .models.list()
    .catch(() => ({ models: [], allowUnlisted: true }));
  return catalogue;
};

// A reasoning model bills tokens it never streams, so a budget reserves its whole output bound per call.
const price = (model: Model) =>
  model.inputUsdPerMTok === 0 && model.outputUsdPerMTok === 0
    ? "free"
    : `$${model.inputUsdPerMTok} in / $${model.outputUsdPerMTok} out per M tokens${model.reasoning ? "; reasoning: bills unseen tokens, so budgets reserve more" : ""}`;

export function modelPicker(
  id: string,
  current: string,
  onChange: (model: string) => void = () => undefined,
): { element: HTMLSelectElement; value: () => string } {
  const element = h("select", { id }, h("option", { value: current, selected: true }, current));
  void models().then(({ models: listed }) => {
    const options = listed.map((model) =>
      h("option", { value: model.name, selected: model.name === current }, `${model.name} (${price(model)})`),
    );
    const unlisted = listed.some((model) => model.name === current)
      ? []
      : [h("option", { value: current, selected: true }, `${current} (not in the catalogue: no price)`)];
    element.replaceChildren(...unlisted, ...options);
  });
  element.addEventListener("change", () => onChange(element.value));
  return { element, value: () => element.value };
}
