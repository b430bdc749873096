// Model output as Markdown, safely and while it streams. Model output is untrusted text: marked
// parses it (GFM: tables, fenced code), and the renderer is ours where it matters: raw HTML in the
// text is shown as text (never parsed into elements), only http(s) and mailto links become links
// (a `javascript:` or any other scheme stays plain text), and images show their alt text (no
// request leaves the page because a model wrote an image link). Links open in a new tab without a
// referrer. Everything else marked escapes itself.
import { Marked } from "marked";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
const LINKABLE = /^(https?:\/\/|mailto:)/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
    link({ href, tokens }) {
      const inner = this.parser.parseInline(tokens);
      return LINKABLE.test(href)
        ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow">${inner}</a>`
        : inner;
    },
  },
});

/** Markdown → HTML in which every tag came from the Markdown syntax, none from the text. */
export const markdownToHtml = (text: string): string => marked.parse(text, { async: false });

/**
 * Where the text can be cut so that the part before it renders the same alone: after the last blank
 * line outside a code fence. Blocks before it are final; only the tail changes as text arrives.
 */
export function stableEnd(text: string): number {
  let end = 0;
  let inFence = false;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf("\n", lineStart);
    if (newline < 0) break;
    const line = text.slice(lineStart, newline);
    if (/^\s{0,3}(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === "" && lineStart > 0) end = newline + 1;
    lineStart = newline + 1;
  }
  return end;
}

/**
 * A Markdown view of text that grows: finished blocks are rendered once and kept, the tail is
 * rendered again at most once per animation frame, so a long answer never re-renders whole.
 */
export class MarkdownView {
  readonly element: HTMLElement;
  private readonly done: HTMLElement;
  private readonly tail: HTMLElement;
  /** The text whose blocks are rendered in `done`. */
  private doneText = "";
  private text = "";
  private frame: number | null = null;

  constructor(private readonly onRendered: () => void = () => undefined) {
    this.done = document.createElement("div");
    this.tail = document.createElement("div");
    this.element = document.createElement("div");
    this.element.className = "markdown";
    this.element.append(this.done, this.tail);
  }

  /** Shows `text` (the whole output so far) on the next animation frame. */
  set(text: string): void {
    if (text === this.text) return;
    this.text = text;
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  /** Renders now, without waiting for a frame (a finished prompt). */
  flush(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.render();
  }

  private render(): void {
    const text = this.text;
    if (!text.startsWith(this.doneText)) {
      // The text was replaced (a restart cleared it): start over.
      this.done.replaceChildren();
      this.doneText = "";
    }
    const end = stableEnd(text);
    if (end > this.doneText.length) {
      this.done.insertAdjacentHTML("beforeend", markdownToHtml(text.slice(this.doneText.length, end)));
      this.doneText = text.slice(0, end);
    }
    this.tail.innerHTML = markdownToHtml(text.slice(this.doneText.length));
    this.onRendered();
  }
}
