// A tiny DOM builder, h("button", { onclick }, "Save"), and how errors are shown.
import { ApiError } from "../src/client";

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/**
 * Replaces the main content and moves focus to its heading, so screen readers follow navigation
 * (the heading takes focus without a visible ring; controls keep theirs).
 */
export function show(...children: Child[]): HTMLElement {
  const main = document.getElementById("main") as HTMLElement;
  main.replaceChildren(...children.filter((child): child is Node | string => Boolean(child)));
  const heading = main.querySelector<HTMLElement>("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  } else main.focus();
  return main;
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The `{path, message}` list an API validation error carries (empty for any other error). */
export function fieldErrors(error: unknown): { path: string; message: string }[] {
  return error instanceof ApiError
    ? ((error.details as { fields?: { path: string; message: string }[] } | undefined)?.fields ?? [])
    : [];
}
