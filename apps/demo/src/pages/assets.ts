/**
 * The page's stylesheet and its one script (the expiry countdown and local times), served from
 * `/assets/*` so the Content-Security-Policy can forbid inline code.
 */

export const STYLESHEET = `
:root{--fg:#1d2330;--muted:#5d6677;--line:#e3e6ec;--bg:#f6f7f9;--card:#fff;--accent:#2357d9;--ok:#1a7f37;--bad:#b42318}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{background:var(--card);border-bottom:1px solid var(--line)}
header .bar{max-width:68rem;margin:0 auto;padding:1rem 1.25rem;display:flex;gap:1rem;align-items:baseline;flex-wrap:wrap}
header h1{font-size:1.2rem;margin:0}
header p{margin:0;color:var(--muted)}
main{max-width:68rem;margin:1.5rem auto;padding:0 1.25rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(26rem,100%),1fr));gap:1.25rem;align-items:start}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.25rem 1.4rem}
.card h2{margin:0 0 .2rem;font-size:1.1rem;display:flex;justify-content:space-between;align-items:center;gap:.5rem}
.card .sub{margin:0 0 1rem;color:var(--muted);font-size:.9rem}
.badge{font-size:.75rem;font-weight:600;padding:.1rem .55rem;border-radius:999px;border:1px solid var(--line);color:var(--muted);white-space:nowrap}
.badge.on{background:#e8f5ec;border-color:#b7e1c2;color:var(--ok)}
.badge.mode{background:#eef2fd;border-color:#c9d6f8;color:var(--accent)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0 0 1rem}
dt{color:var(--muted)}
dd{margin:0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}
.chip{display:inline-block;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:0 .4rem;margin:0 .25rem .15rem 0;font-size:.85em}
.expired{color:var(--bad);font-weight:600}
form.inline{display:inline}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}
button{font:inherit;font-size:.9rem;padding:.4rem .9rem;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--fg);cursor:pointer}
button:hover{border-color:#b9bfcc}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{color:var(--bad);border-color:#f0c4c0}
fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 .75rem;padding:.5rem .75rem}
legend{color:var(--muted);font-size:.85rem;padding:0 .3rem}
fieldset label{margin-right:.9rem;white-space:nowrap}
.flash{border-radius:8px;padding:.75rem 1rem;margin-bottom:1.25rem;border:1px solid}
.flash.info{background:#eef6ff;border-color:#c4dcf7}
.flash.error{background:#fdf0ef;border-color:#f3c6c1;color:#7a1c12}
.result{border-top:1px solid var(--line);margin-top:1rem;padding-top:.75rem}
.result h3{font-size:.95rem;margin:0 0 .5rem;display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.status{font-weight:600}.status.ok{color:var(--ok)}.status.bad{color:var(--bad)}
.table-wrap{overflow-x:auto;margin:.25rem 0 .5rem}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;white-space:nowrap}
th{color:var(--muted);font-weight:600}
pre{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.6rem;overflow:auto;max-height:18rem;font-size:.8rem}
details summary{cursor:pointer;color:var(--muted);font-size:.85rem}
.hint{color:var(--muted);font-size:.85rem;margin:.25rem 0 0}
footer{max-width:68rem;margin:2rem auto;padding:0 1.25rem;color:var(--muted);font-size:.85rem}
a{color:var(--accent)}
`

export const SCRIPT = `
"use strict";
(function () {
  var pad = function (n) { return n < 10 ? "0" + n : String(n) };
  var span = function (ms) {
    var s = Math.ceil(ms / 1000);
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    return m < 60 ? m + " min " + pad(s % 60) + " s" : Math.floor(m / 60) + " h " + pad(m % 60) + " min";
  };
  var tick = function () {
    var now = Date.now();
    document.querySelectorAll("[data-expires-at]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-expires-at")) - now;
      el.textContent = left > 0 ? "in " + span(left) : el.getAttribute("data-expired-text") || "expired";
      el.classList.toggle("expired", left <= 0);
    });
  };
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var d = new Date(el.getAttribute("datetime"));
    if (!isNaN(d.getTime())) el.textContent = d.toLocaleTimeString();
  });
  tick();
  setInterval(tick, 1000);
})();
`
