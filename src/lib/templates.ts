// Prompt templates: decode editor-encoded content, compile it once, render it in a single pass.

/** Placeholder names, as in the original app: `[A-Za-z_][A-Za-z0-9_-]*`. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

// `{{ name }}` (spaces allowed) or the original app's `${name}`.
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}|\$\{([A-Za-z_][A-Za-z0-9_-]*)\}/g;
// The original app's positional references: `result_N` and `prompt_N_output` (1-based).
const ORDINAL_REFERENCE = /^(?:result_(\d+)|prompt_(\d+)_output)$/;

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  dollar: "$",
  lbrace: "{",
  rbrace: "}",
  lowbar: "_",
};

/** A compiled template: literal text and placeholders, in order. */
export type TemplatePart = { kind: "text"; text: string } | { kind: "placeholder"; name: string };

export interface CompiledTemplate {
  parts: TemplatePart[];
  /** Placeholder names in order of appearance, repeats included. */
  placeholders: string[];
}

function decodeEntity(entity: string, body: string): string {
  if (body.startsWith("#x") || body.startsWith("#X")) {
    const code = Number.parseInt(body.slice(2), 16);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  }
  if (body.startsWith("#")) {
    const code = Number.parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  }
  return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
}

/**
 * Undoes what a rich-text/markdown editor does to prompt text: HTML entities
 * (`&lt;`, `&#36;`, `&#x24;` …) and backslash escapes before `$ { } _`.
 * Each is decoded once, so `&amp;lt;` becomes `&lt;`, not `<`.
 */
export function decodePromptContent(content: string): string {
  return content
    .replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});/g, (entity, body: string) =>
      decodeEntity(entity, body),
    )
    .replace(/\\([${}_])/g, "$1");
}

/** Decodes and parses a prompt's content into text and placeholder parts. */
export function compileTemplate(content: string): CompiledTemplate {
  const source = decodePromptContent(content);
  const parts: TemplatePart[] = [];
  const placeholders: string[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? match[2] ?? "";
    if (match.index > last) parts.push({ kind: "text", text: source.slice(last, match.index) });
    parts.push({ kind: "placeholder", name });
    placeholders.push(name);
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ kind: "text", text: source.slice(last) });
  return { parts, placeholders };
}

/**
 * Fills a compiled template. Values are inserted literally: a value that itself
 * contains `{{x}}` is never expanded (single pass). Unknown names render as "".
 */
export function renderTemplate(template: CompiledTemplate, values: ReadonlyMap<string, string>): string {
  let out = "";
  for (const part of template.parts) out += part.kind === "text" ? part.text : (values.get(part.name) ?? "");
  return out;
}

/** The 1-based prompt ordinal a `result_N` / `prompt_N_output` name refers to, if it is one. */
export function ordinalReference(name: string): number | undefined {
  const match = ORDINAL_REFERENCE.exec(name);
  if (!match) return undefined;
  return Number(match[1] ?? match[2]);
}

/** The names under which the N-th prompt's output (1-based) can be referenced. */
export function ordinalAliases(ordinal: number): [string, string] {
  return [`result_${ordinal}`, `prompt_${ordinal}_output`];
}
