// A tool's answer as the text the model and the record get: text content joined, other content named
// briefly, and the whole cut to MCP_RESULT_MAX_BYTES of UTF-8 without splitting a character.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

type Content = CallToolResult["content"][number];

const encoder = new TextEncoder();

const sizeOf = (base64: string) => {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return `${Math.floor((base64.length * 3) / 4) - padding} bytes`;
};

/** One content block as text: text as is, anything else as a short description in brackets. */
function describe(block: Content): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
      return `[image: ${block.mimeType}, ${sizeOf(block.data)}]`;
    case "audio":
      return `[audio: ${block.mimeType}, ${sizeOf(block.data)}]`;
    case "resource_link":
      return `[resource link: ${block.name} (${block.uri})]`;
    case "resource": {
      const resource = block.resource;
      if ("text" in resource && typeof resource.text === "string") return resource.text;
      return `[resource: ${resource.uri}${resource.mimeType ? `, ${resource.mimeType}` : ""}]`;
    }
    default:
      return "[content of an unknown type]";
  }
}

/** What `tools/call` may answer: today's result, or the 2024-10-07 protocol's `{toolResult}`. */
export type AnyToolResult = Pick<CallToolResult, "content" | "structuredContent"> | { toolResult: unknown };

/** The result's content as one text; a result with no content but structured content gives that as JSON. */
export function resultText(result: AnyToolResult): string {
  if (!("content" in result)) return JSON.stringify(result.toolResult ?? null);
  const content = result.content ?? [];
  if (content.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return content.map(describe).join("\n");
}

/** UTF-8 bytes of `text`, counted without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * `text` if its UTF-8 form fits in `maxBytes`; otherwise its longest prefix of whole characters that
 * fits with a note saying the result was cut, the note included in `maxBytes`.
 */
export function capUtf8(text: string, maxBytes: number): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: most results are decided without counting.
  if (text.length * 3 <= maxBytes) return text;
  const total = utf8Length(text);
  if (total <= maxBytes) return text;
  const note = `\n[result cut to ${maxBytes} of its ${total} bytes]`;
  const room = Math.max(0, maxBytes - utf8Length(note));
  // encodeInto writes whole characters only, and `read` says how much of the text they are.
  const { read } = encoder.encodeInto(text, new Uint8Array(room));
  return text.slice(0, read) + note;
}
