/** The report's only styles: inline, no external assets. */
export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2327; background: #f4f6f8; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
header { background: #1f2a35; color: #fff; padding: 22px 28px; }
header .wrap { max-width: 1120px; margin: 0 auto; }
header h1 { margin: 0 0 6px; font-size: 20px; font-weight: 600; }
header .objective { font-size: 16px; margin: 6px 0 10px; white-space: pre-wrap; word-break: break-word; }
header .meta { color: #b0bec5; font-size: 12.5px; }
h2 { font-size: 16px; margin: 28px 0 10px; border-bottom: 1px solid #d5dbe0; padding-bottom: 4px; }
h3 { font-size: 14.5px; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin-top: 18px; }
.card { background: #fff; border: 1px solid #dde3e8; border-radius: 8px; padding: 10px 12px; }
.card .label { color: #607d8b; font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 19px; font-weight: 600; margin-top: 2px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; vertical-align: 1px; }
.panel { background: #fff; border: 1px solid #dde3e8; border-radius: 8px; padding: 12px 14px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eceff1; vertical-align: top; }
th { color: #546e7a; font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; border: 1px solid #e3e8ec; border-radius: 6px; padding: 8px 10px; margin: 6px 0; white-space: pre-wrap; word-break: break-word; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; max-height: 320px; overflow: auto; }
code { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
.task { background: #fff; border: 1px solid #dde3e8; border-left: 5px solid #90a4ae; border-radius: 8px; padding: 10px 14px; margin-bottom: 10px; }
.task .facts { color: #546e7a; font-size: 12.5px; margin: 4px 0 6px; }
.muted { color: #78909c; }
.ok { color: #2e7d32; font-weight: 600; }
.bad { color: #c62828; font-weight: 600; }
.warn { color: #ef6c00; font-weight: 600; }
details summary { cursor: pointer; color: #37474f; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; }
svg .edge { fill: none; stroke: #90a4ae; stroke-width: 1.6; }
svg .node-id { font-size: 13px; font-weight: 600; fill: #1d2327; }
svg .node-agent { font-size: 11.5px; fill: #546e7a; }
svg .axis { font-size: 11px; fill: #607d8b; }
svg .grid { stroke: #eceff1; }
svg .bar-label { font-size: 11px; fill: #fff; font-weight: 600; }
svg .retry { fill: #c62828; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; color: #546e7a; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
footer { color: #90a4ae; font-size: 12px; margin-top: 30px; }
`;
