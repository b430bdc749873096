// Error texts about MCP servers go to tool authors, models and event streams: they must never carry a
// server's URL, host, port, IP address or a header it is sent (MCP_SERVERS is the operator's secret).
import type { McpServerConfig } from "../lib/mcp-config";

const REDACTED = "[redacted]";
const MAX_LENGTH = 300;

const PATTERNS: RegExp[] = [
  // Any URL, whatever its scheme.
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi,
  // Bracketed IPv6, with or without a port.
  /\[[0-9a-f:.]*:[0-9a-f:.]*\](?::\d+)?/gi,
  // Bare IPv6: hex groups joined by at least two colons ("fe80::1", "2001:db8:0:0:1::2", "::1").
  /(?<![\w:.])(?:[0-9a-f]{1,4})?(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi,
  // IPv4, with or without a port.
  /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g,
  // localhost and host names (dotted labels ending in letters), with or without a port.
  /\blocalhost(?::\d+)?\b/gi,
  /\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?::\d+)?\b/gi,
  // Anything else followed by a port.
  /\b[\w.-]+:\d{2,5}\b/g,
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `message` with every URL, host, port, IP address and each of `server`'s header values (and its URL's
 * parts) replaced by "[redacted]", cut to 300 characters.
 */
export function sanitize(message: string, server?: Pick<McpServerConfig, "url" | "headers">): string {
  let text = message;
  if (server) {
    const secrets: string[] = Object.values(server.headers).filter((value) => value.length >= 3);
    try {
      const url = new URL(server.url);
      secrets.push(url.href, url.host, url.hostname);
      if (url.username) secrets.push(url.username);
      if (url.password) secrets.push(url.password);
      for (const value of url.searchParams.values()) if (value.length >= 3) secrets.push(value);
    } catch {
      secrets.push(server.url);
    }
    // Longest first, so a value that contains another is replaced whole.
    for (const secret of secrets.sort((a, b) => b.length - a.length)) {
      text = text.replace(new RegExp(escapeRegExp(secret), "gi"), REDACTED);
    }
  }
  for (const pattern of PATTERNS) text = text.replace(pattern, REDACTED);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
