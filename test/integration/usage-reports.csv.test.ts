// Usage reports as CSV (format=csv): a download with a header line whose rows, parsed by a CSV library,
// equal the JSON rows; names with commas, quotes and line breaks quoted; a name that a spreadsheet would
// run as a formula written as text.
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { newUser } from "../helpers/auth";
import { ADMIN, getAs, jsonAs, seedRun, type UsageJson, type UsageRowJson, utc } from "../helpers/usage";

const HEADER = ["key", "label", "executions", "completed", "failed", "inputTokens", "outputTokens", "costMicros"];

/** The CSV's records as the JSON rows would be (numbers as numbers, an empty label as none). */
function csvRows(text: string): UsageRowJson[] {
  const records = parse(text, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return records.map(({ key = "", label = "", ...figures }) => ({
    key,
    ...(label === "" ? {} : { label }),
    ...Object.fromEntries(Object.entries(figures).map(([name, value]) => [name, Number(value)])),
  })) as UsageRowJson[];
}

async function seedTools(year: number, names: string[]): Promise<void> {
  const owner = newUser();
  for (const [index, toolName] of names.entries())
    await seedRun({
      ownerId: owner,
      toolId: `csv-${year}-${index}-${crypto.randomUUID()}`,
      toolName,
      createdAt: utc(`${year}-06-0${index + 1}`, "10:00:00.000"),
      status: index % 2 === 0 ? "completed" : "failed",
      prompts: [
        { model: "m-csv", usage: { inputTokens: 10 * (index + 1), outputTokens: 3, costMicros: 1000 * (index + 1) } },
      ],
    });
}

describe("usage reports as CSV", () => {
  it("is a download with a header line, and its rows parse to exactly the JSON rows", async () => {
    await seedTools(2011, ["Plain", "Lesson, with comma", 'Quoted "name"', "Two\nlines"]);
    for (const groupBy of ["tool", "day", "model", "user"]) {
      const query = `/api/admin/usage?from=2011-01-01&to=2011-12-31&groupBy=${groupBy}`;
      const json = (await jsonAs<UsageJson>(ADMIN, query)).body;
      const response = await getAs(ADMIN, `${query}&format=csv`);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
      expect(response.headers.get("Content-Disposition")).toBe(
        `attachment; filename="usage-all-by-${groupBy}-2011-01-01-to-2011-12-31.csv"`,
      );
      const text = await response.text();
      expect(text.split("\r\n")[0]).toBe(HEADER.join(","));
      expect(csvRows(text), groupBy).toEqual(json.rows);
      expect(json.rows.length).toBeGreaterThan(0);
    }
  });

  it("writes a name that would run as a formula with a leading ' (and nothing else changes)", async () => {
    const names = ['=HYPERLINK("http://evil.example","x")', "+SUM(A1)", "-2+3", "@cmd", "Safe = fine"];
    await seedTools(2012, names);
    const query = "/api/admin/usage?from=2012-01-01&to=2012-12-31&groupBy=tool";
    const json = (await jsonAs<UsageJson>(ADMIN, query)).body;
    const csv = csvRows(await (await getAs(ADMIN, `${query}&format=csv`)).text());
    expect(json.rows.map((row) => row.label).sort()).toEqual([...names].sort());
    expect(csv.map((row) => row.label).sort()).toEqual(
      ['\'=HYPERLINK("http://evil.example","x")', "'+SUM(A1)", "'-2+3", "'@cmd", "Safe = fine"].sort(),
    );
    expect(csv.map(({ label: _label, ...row }) => row)).toEqual(json.rows.map(({ label: _label, ...row }) => row));
  });

  it("gives a caller their own report as CSV too, and an empty report as the header alone", async () => {
    const user = newUser();
    const response = await getAs(user, "/api/usage?from=2013-01-01&to=2013-01-31&format=csv&groupBy=model");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toBe(
      'attachment; filename="usage-by-model-2013-01-01-to-2013-01-31.csv"',
    );
    // A byte-order mark first (spreadsheets then read UTF-8), which text() drops as a decoder does.
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes)).toBe(`${HEADER.join(",")}\r\n`);
  });
});
