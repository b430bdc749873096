import { describe, expect, it } from "vitest";
import { MAX_PART_UNITS, splitText } from "../../src/lib/text-parts";

describe("splitText", () => {
  it("keeps short text whole", () => {
    expect(splitText("short")).toEqual(["short"]);
    expect(splitText("")).toEqual([""]);
  });

  it("splits long text into parts that rejoin exactly, each within the limit", () => {
    const text = "x".repeat(MAX_PART_UNITS * 2 + 7);
    const parts = splitText(text);
    expect(parts.map((part) => part.length)).toEqual([MAX_PART_UNITS, MAX_PART_UNITS, 7]);
    expect(parts.join("")).toBe(text);
  });

  it("never splits a surrogate pair", () => {
    const parts = splitText("ab😀cd", 3);
    expect(parts).toEqual(["ab", "😀c", "d"]);
    expect(parts.every((part) => !/[\ud800-\udbff]$/.test(part))).toBe(true);
  });
});
