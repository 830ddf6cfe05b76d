"""The stylesheet of the HTML readiness report: inline, system fonts, print-friendly."""

from __future__ import annotations

# Severity colours, used by the stylesheet and the SVG charts alike.
COLOURS = {
    "major": "#b42318",
    "minor": "#b54708",
    "observation": "#175cd3",
    "pass": "#067647",
    "fail": "#d92d20",
    "error": "#5925dc",
    "muted": "#667085",
    "track": "#eaecf0",
}
VERDICT_COLOURS = {
    "ready for stage 1": "#067647",
    "not ready for stage 1": "#b42318",
    "not assessable": "#93370d",
}

CSS = """
:root {
  --ink: #101828; --ink-2: #344054; --muted: #667085; --line: #eaecf0; --page: #f4f5f7;
  --major: #b42318; --major-bg: #fef3f2; --major-line: #fecdca;
  --minor: #b54708; --minor-bg: #fffaeb; --minor-line: #fedf89;
  --observation: #175cd3; --observation-bg: #eff8ff; --observation-line: #b2ddff;
  --pass: #067647; --pass-bg: #ecfdf3; --error: #5925dc; --error-bg: #f4f3ff;
  --neutral-bg: #f2f4f7;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif;
  font-variant-numeric: tabular-nums;
}
main { max-width: 1120px; margin: 0 auto; padding: 32px 28px 48px; }
h1, h2, h3 { line-height: 1.25; margin: 0; font-weight: 650; letter-spacing: -0.01em; }
h1 { font-size: 30px; }
h2 { font-size: 21px; margin-bottom: 6px; }
h3 { font-size: 16px; margin: 22px 0 10px; }
p { margin: 0 0 10px; }
code, .mono {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono",
    "DejaVu Sans Mono", monospace;
  font-size: 0.88em;
}
a { color: var(--observation); text-decoration: none; }
a:hover { text-decoration: underline; }
.masthead { margin-bottom: 20px; }
.kicker { color: var(--muted); font-size: 13px; font-weight: 600; letter-spacing: 0.06em;
  text-transform: uppercase; margin-bottom: 6px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 14px 0 0; color: var(--ink-2);
  font-size: 13.5px; }
.meta div { display: flex; gap: 6px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; font-weight: 500; }
nav.toc { display: flex; flex-wrap: wrap; gap: 8px; margin: 18px 0 22px; font-size: 13.5px; }
nav.toc a { background: #fff; border: 1px solid var(--line); border-radius: 999px;
  padding: 4px 12px; color: var(--ink-2); }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 12px;
  padding: 24px 26px; margin-bottom: 22px; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04); }
.lead { color: var(--muted); margin-bottom: 16px; max-width: 75ch; }
.verdict { display: flex; align-items: center; justify-content: space-between; gap: 28px;
  color: #fff; border-radius: 14px; padding: 28px 32px; margin-bottom: 22px; }
.verdict .label { font-size: 13px; font-weight: 600; letter-spacing: 0.08em;
  text-transform: uppercase; opacity: 0.85; margin-bottom: 4px; }
.verdict h2 { font-size: 34px; margin-bottom: 10px; }
.verdict p { font-size: 16px; max-width: 62ch; opacity: 0.95; margin: 0; }
.verdict .gate { margin-top: 12px; font-size: 14px; opacity: 0.9; }
.donut text { fill: #fff; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr));
  gap: 12px; margin-bottom: 22px; }
.figure { background: #fff; border: 1px solid var(--line); border-radius: 12px;
  padding: 14px 16px; border-top: 4px solid var(--line); }
.figure .n { font-size: 28px; font-weight: 700; line-height: 1.1; }
.figure .n.long { font-size: 22px; line-height: 1.45; }
.figure .what { color: var(--muted); font-size: 13px; }
.figure.major { border-top-color: var(--major); } .figure.major .n { color: var(--major); }
.figure.minor { border-top-color: var(--minor); } .figure.minor .n { color: var(--minor); }
.figure.observation { border-top-color: var(--observation); }
.figure.observation .n { color: var(--observation); }
.figure.error { border-top-color: var(--error); } .figure.error .n { color: var(--error); }
.figure.pass { border-top-color: var(--pass); } .figure.pass .n { color: var(--pass); }
.charts { display: grid; grid-template-columns: 1fr; gap: 22px; }
figure.chart { margin: 0; }
figure.chart figcaption { font-weight: 600; margin-bottom: 6px; }
svg.bars { width: 100%; height: auto; display: block; }
svg.bars text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, Arial, "DejaVu Sans",
  sans-serif; fill: var(--ink-2); }
svg.bars text.value { font-weight: 600; fill: var(--ink); }
svg.bars text.none { fill: var(--muted); font-style: italic; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; font-size: 13px; color: var(--muted);
  margin: 4px 0 14px; }
.legend span.none::before { border: 1px dashed #98a2b3; }
.legend span::before { content: ""; display: inline-block; width: 11px; height: 11px;
  border-radius: 3px; margin-right: 6px; vertical-align: -1px; background: var(--swatch); }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted);
  text-transform: uppercase; letter-spacing: 0.05em; padding: 8px 10px;
  border-bottom: 1px solid var(--line); background: #fcfcfd; }
td { padding: 11px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr:last-child td { border-bottom: none; }
td.where code { background: var(--neutral-bg); padding: 2px 6px; border-radius: 5px;
  color: var(--ink); -webkit-box-decoration-break: clone; box-decoration-break: clone;
  line-height: 1.8; }
table.gaps { table-layout: fixed; }
table.gaps col.c-sev { width: 132px; }
table.gaps col.c-where { width: 30%; }
.subject { margin-top: 18px; border: 1px solid var(--line); border-radius: 10px;
  overflow: hidden; break-inside: avoid-page; }
.subject h3 { margin: 0; padding: 10px 12px; display: flex; flex-wrap: wrap; gap: 6px 12px;
  align-items: baseline; background: #fcfcfd; border-bottom: 1px solid var(--line); }
.subject.sev-major h3 { box-shadow: inset 4px 0 0 var(--major); }
.subject.sev-minor h3 { box-shadow: inset 4px 0 0 var(--minor); }
.subject.sev-observation h3 { box-shadow: inset 4px 0 0 var(--observation); }
.subject.sev-error h3 { box-shadow: inset 4px 0 0 var(--error); }
.subject .grades { font-size: 12.5px; font-weight: 500; color: var(--muted); }
#systemic table { margin-top: 6px; }
.gap-title { font-weight: 600; }
.gap-rule { color: var(--muted); font-size: 12.5px; margin-top: 2px; }
.gap-message { margin-top: 4px; color: var(--ink-2); }
.gap-fix { margin-top: 6px; font-size: 13.5px; color: var(--ink-2); }
.gap-fix b { color: var(--pass); font-weight: 600; }
.note { margin-top: 6px; font-size: 13px; color: var(--minor); }
ul.proofs { margin: 6px 0 0; padding-left: 18px; font-size: 13px; color: var(--ink-2);
  overflow-wrap: anywhere; }
.badge.known { display: table; margin-top: 8px; }
table.inventory { table-layout: fixed; }
table.inventory col.c-req { width: 150px; }
table.inventory col.c-tally { width: 90px; }
table.inventory td { padding: 8px 10px; }
td.req { font-weight: 600; white-space: nowrap; }
td.tally { color: var(--muted); white-space: nowrap; }
td.date { white-space: nowrap; }
tr.inv-bad td:first-child { box-shadow: inset 4px 0 0 var(--major); }
tr.inv-bad td.tally { color: var(--major); font-weight: 600; }
.proof { display: inline-block; font-size: 12.5px; border-radius: 6px; padding: 1px 8px;
  margin: 2px 6px 2px 0; border: 1px solid var(--line); background: #fff; color: var(--ink-2); }
.proof.ok::before { content: "✓ "; color: var(--pass); font-weight: 700; }
.proof.bad { color: var(--major); background: var(--major-bg); border-color: var(--major-line);
  font-weight: 600; }
.proof.bad::before { content: "✗ "; }
.badge { display: inline-block; font-size: 12px; font-weight: 650; border-radius: 999px;
  padding: 2px 10px; white-space: nowrap; border: 1px solid transparent; }
.badge.major { color: var(--major); background: var(--major-bg); border-color: var(--major-line); }
.badge.minor { color: var(--minor); background: var(--minor-bg); border-color: var(--minor-line); }
.badge.observation { color: var(--observation); background: var(--observation-bg);
  border-color: var(--observation-line); }
.badge.error { color: var(--error); background: var(--error-bg); }
.badge.ok, .badge.active { color: var(--pass); background: var(--pass-bg); }
.badge.bad, .badge.expired { color: var(--major); background: var(--major-bg); }
.badge.neutral, .badge.unmatched, .badge.known {
  color: var(--ink-2); background: var(--neutral-bg); }
.kind { display: block; margin-top: 6px; font-size: 12px; color: var(--muted); }
tr.sev-major td:first-child { box-shadow: inset 4px 0 0 var(--major); }
tr.sev-minor td:first-child { box-shadow: inset 4px 0 0 var(--minor); }
tr.sev-observation td:first-child { box-shadow: inset 4px 0 0 var(--observation); }
tr.sev-error td:first-child { box-shadow: inset 4px 0 0 var(--error); }
.empty { color: var(--muted); font-style: italic; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 22px; }
ul.plain { margin: 6px 0 0; padding-left: 18px; }
details summary { cursor: pointer; font-weight: 600; margin: 8px 0; }
footer { color: var(--muted); font-size: 12.5px; margin-top: 26px; max-width: 90ch; }
@media (max-width: 760px) {
  main { padding: 18px 12px; }
  .verdict { flex-direction: column; align-items: flex-start; }
  .cols { grid-template-columns: 1fr; }
}
@media print {
  body { background: #fff; font-size: 12px; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section.card { box-shadow: none; break-inside: auto; }
  .verdict, .badge, .figure, tr { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* A heading, and the lead or legend under it, stays with what it introduces: never alone at
     the foot of a page. */
  h1, h2, h3, figcaption, summary, .lead, .legend, thead { break-after: avoid-page; }
  /* A finding, a chart, a key figure and the verdict are never cut across two pages. */
  tr, figure.chart, .figure, .verdict, .masthead { break-inside: avoid-page; }
  /* Folded sections print unfolded, without a script where ::details-content is known
     (Chromium 131, Firefox 143, Safari 18.4); PRINT_SCRIPT opens them in older browsers. */
  details::details-content { content-visibility: visible; }
  details > summary { list-style: none; cursor: auto; }
  details > summary::-webkit-details-marker { display: none; }
}
"""
