// CSV cells as spreadsheets read them: quoted only when needed, quotes doubled, and text that a
// spreadsheet would run as a formula written as text.
import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "../../src/lib/csv";

describe("CSV cells", () => {
  it("quote commas, quotes, line breaks and edge spaces, and leave the rest bare", () => {
    expect(csvCell("plain text")).toBe("plain text");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" padded ")).toBe('" padded "');
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell(-42)).toBe("-42");
  });

  it("write text starting with = + - @ tab or carriage return after a '", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=1")).toBe("'\t=1");
    expect(csvCell("\r=1")).toBe('"\'\r=1"');
    expect(csvCell('=HYPERLINK("x","y")')).toBe('"\'=HYPERLINK(""x"",""y"")"');
    expect(csvCell("a = b")).toBe("a = b");
  });

  it("end every line, the header's too, with CRLF", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x", 1],
          [null, 2],
        ],
      ),
    ).toBe("a,b\r\nx,1\r\n,2\r\n");
  });
});
