// Parse Mermaid charts with Mermaid's own parser: a JSON list of chart texts on stdin, a JSON list
// of {ok, type} or {ok: false, error} on stdout, one per chart. Mermaid's label sanitiser
// (DOMPurify) needs a DOM even to parse; linkedom gives it one without a browser.
import { readFileSync } from "node:fs";
import { parseHTML } from "linkedom";

const { window } = parseHTML("<!doctype html><html><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

const charts = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const chart of charts) {
  try {
    const parsed = await mermaid.parse(chart);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
