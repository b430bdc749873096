// A bar chart drawn as SVG, readable without sight: a title and a description that say what it shows,
// each bar named, and the same figures in a table beside it (the table is what screen readers use).
import { h } from "./dom";

const SVG = "http://www.w3.org/2000/svg";

export interface Bar {
  /** What the bar is (a day): its axis label and its table row. */
  label: string;
  value: number;
  /** The value as people read it ("$1.25"). */
  text: string;
}

export interface BarChartOptions {
  id: string;
  title: string;
  /** One sentence of what the chart shows, including its highest bar. */
  description: string;
  bars: Bar[];
  /** Column headings of the table fallback. */
  columns: [string, string];
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 64 };

/** The chart (an `<svg role="img">` labelled by its title and description) and its table, in a figure. */
export function barChart(options: BarChartOptions): HTMLElement {
  const { bars } = options;
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = bars.length > 0 ? plotWidth / bars.length : plotWidth;
  const barWidth = Math.max(1, step * 0.7);
  const y = (value: number) => PAD.top + plotHeight - (max > 0 ? (value / max) * plotHeight : 0);
  const maxText = bars.find((bar) => bar.value === max)?.text ?? "0";
  // Three labels at most (first, middle, last), so they never overlap at phone widths; the ends align inwards.
  const middle = Math.floor((bars.length - 1) / 2);
  const anchor = (index: number) =>
    index === 0 ? "start" : index === bars.length - 1 ? "end" : index === middle ? "middle" : null;
  const chart = svg(
    "svg",
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-labelledby": `${options.id}-title ${options.id}-desc`,
      class: "chart",
    },
    svg("title", { id: `${options.id}-title` }, options.title),
    svg("desc", { id: `${options.id}-desc` }, options.description),
    svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0), class: "axis" }),
    svg("text", { x: PAD.left - 6, y: y(max) + 4, "text-anchor": "end", class: "tick" }, maxText),
    svg("text", { x: PAD.left - 6, y: y(0), "text-anchor": "end", class: "tick" }, bars.length ? "0" : ""),
    ...bars.map((bar, index) => {
      const x = PAD.left + index * step + (step - barWidth) / 2;
      const top = y(bar.value);
      return svg(
        "g",
        {},
        svg(
          "rect",
          { x, y: top, width: barWidth, height: Math.max(0, y(0) - top), class: "bar" },
          svg("title", {}, `${bar.label}: ${bar.text}`),
        ),
        anchor(index) === null
          ? ""
          : svg(
              "text",
              {
                x: anchor(index) === "start" ? x : anchor(index) === "end" ? x + barWidth : x + barWidth / 2,
                y: HEIGHT - 8,
                "text-anchor": anchor(index) ?? "middle",
                class: "tick",
              },
              bar.label,
            ),
      );
    }),
  );
  const table = h(
    "table",
    { class: "figures" },
    h("caption", {}, options.title),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, options.columns[0]),
        h("th", { scope: "col", class: "number" }, options.columns[1]),
      ),
    ),
    h(
      "tbody",
      {},
      ...bars.map((bar) => h("tr", {}, h("th", { scope: "row" }, bar.label), h("td", { class: "number" }, bar.text))),
    ),
  );
  return h(
    "figure",
    { class: "chart-figure", id: options.id },
    chart,
    h("details", {}, h("summary", {}, "Show as a table"), table),
  );
}
