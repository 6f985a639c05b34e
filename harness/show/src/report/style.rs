//! The page's one stylesheet, inlined into `<head>`: the report loads nothing.

/// Every rule the page uses.
pub const CSS: &str = "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:0 16px 48px;color:#222}\
h1{margin-top:24px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:36px}\
table{border-collapse:collapse;margin:8px 0;font-size:14px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}\
th{background:#f4f4f4}td.l,th.l{text-align:left}.banner{padding:14px 18px;border-radius:6px;font-size:18px;font-weight:600}\
.bad{background:#fde2e1;color:#8a1111}.good{background:#e3f5e1;color:#1d5e1a}.info{background:#eef2f8;color:#244}\
.grey{background:#ececec;color:#444}.by-metric{font-size:13px;color:#555;margin:4px 0}ul.least{font-size:15px}\
.wide{overflow-x:auto;max-width:100%}.wide table{margin:0}.wide td:first-child,.wide th:first-child{position:sticky;left:0;z-index:1}\
.wide td:first-child{background:#fff}\
tr.regressed td{background:#fde2e1}tr.improved td{background:#e3f5e1}tr.noise td,tr.unchanged td{color:#555}\
tr.incomparable td,tr.missing td,tr.new td{background:#fff6d6}.v-holds{color:#1d5e1a;font-weight:600}\
.v-contradicted{color:#8a1111;font-weight:600}.v-direction{color:#7a5d00;font-weight:600}.v-depends{color:#244;font-weight:600}.v-none{color:#666}.charts{display:flex;flex-wrap:wrap;gap:12px}\
.chart{border:1px solid #eee;margin:0}dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:14px}dt{color:#666}\
.absent{color:#666;font-style:italic}code{background:#f4f4f4;padding:1px 4px}\
table.sites td{vertical-align:top}ul.stacks{margin:4px 0;padding-left:18px}ul.stacks pre{font-size:11px;margin:2px 0 8px;white-space:pre-wrap}\
nav.toc{font-size:14px;margin:8px 0 16px}nav.toc a{margin-right:12px}details>summary{cursor:pointer}";
