#!/usr/bin/env python3
"""Checks a spanalloc report's layout as Chromium lays it out, over the DevTools protocol.

usage: check_page_layout.py CHROMIUM PAGE.html [MIN_DETAILS [FIRST_SCREEN.png]] [--regressed SCENARIO]

Starts headless Chromium with a DevTools port and a 1280 x 900 window, opens the page, and asks
the browser for the box of every text in every chart (getBoundingClientRect, after the SVG's own
layout): it fails (exit 1, one line per problem) when two texts of one chart overlap, when a
text leaves its chart, when a chart's text is drawn under 11 px, when the page is wider than the
window (the reader would scroll the whole page sideways), when the first table (#strategies-first)
does not fit the window or scrolls in its box, when the page's text shows a backtick (Markdown
never rendered), or when the page has fewer than MIN_DETAILS <details> sections. With
FIRST_SCREEN.png it saves what the window shows first. With --regressed SCENARIO the page must
answer "what regressed, where, by how much" on its first screen: the verdict banner, and a
regression of that row with its name and its change, all drawn within the window's top 900 px.
Needs websocket-client (PyPI);
scripts/check-report.sh installs it in a virtual environment.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

MEASURE = r"""
(() => {
  const out = {charts: 0, texts: 0, details: document.querySelectorAll('details').length, problems: [],
               pageWidth: document.documentElement.scrollWidth, windowWidth: document.documentElement.clientWidth};
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const fig of document.querySelectorAll('figure.chart')) {
    out.charts++;
    const svg = fig.querySelector('svg');
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '');
    const boxes = texts.map(t => ({text: t.textContent.trim(), box: t.getBoundingClientRect()}));
    out.texts += boxes.length;
    // The size a reader sees: the text's font size times the scale the chart is drawn at.
    const scale = frame.width / (svg.width.baseVal.value || frame.width);
    for (const t of texts) {
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < 11 - 0.01) {
        out.problems.push(`${fig.id}: "${t.textContent.trim()}" is drawn at ${px.toFixed(1)} px, under 11 px`);
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i];
      if (a.box.left < frame.left - 1 || a.box.right > frame.right + 1 || a.box.top < frame.top - 1 || a.box.bottom > frame.bottom + 1) {
        out.problems.push(`${fig.id}: "${a.text}" leaves the chart`);
      }
      for (let j = i + 1; j < boxes.length; j++) {
        if (overlap(a.box, boxes[j].box)) {
          out.problems.push(`${fig.id}: "${a.text}" overlaps "${boxes[j].text}"`);
        }
      }
    }
  }
  // No Markdown in the page: a backtick a reader sees is a code span that was never rendered.
  const visible = document.body.innerText;
  for (let at = visible.indexOf('`'), n = 0; at >= 0 && n < 5; at = visible.indexOf('`', at + 1), n++) {
    out.problems.push(`a literal backtick in the page's text: "${visible.slice(Math.max(0, at - 40), at + 40).replace(/\s+/g, ' ')}"`);
  }
  // The first table, the figures a reader decides on, is read without scrolling it sideways.
  const first = document.querySelector('#strategies-first');
  if (!first) {
    out.problems.push('no first table (#strategies-first)');
  } else {
    const right = first.getBoundingClientRect().right;
    if (right > out.windowWidth) {
      out.problems.push(`the first table ends at ${Math.round(right)} px, past the window (${out.windowWidth} px)`);
    }
    let box = first.parentElement;
    for (; box && box !== document.body; box = box.parentElement) {
      if (box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== 'visible') {
        out.problems.push(`the first table scrolls sideways in its box (${box.scrollWidth} px in ${box.clientWidth})`);
        break;
      }
    }
  }
  // What regressed, where and by how much, on the first screen (with --regressed).
  const regressed = REGRESSED;
  if (regressed !== null) {
    const fold = document.documentElement.clientHeight;
    const banner = document.querySelector('#verdict-counts');
    if (!banner || banner.getBoundingClientRect().bottom > fold) {
      out.problems.push(`the verdict banner is not within the first ${fold} px`);
    }
    const items = [...document.querySelectorAll('ul.regressions > li')]
      .filter(li => li.querySelector('b') && li.querySelector('b').textContent.trim() === regressed);
    if (items.length === 0) {
      out.problems.push(`no regression of ${regressed} is listed`);
    } else {
      const li = items[0];
      const name = li.querySelector('b').getBoundingClientRect();
      // The change is the parenthesis after the arrow: "base → current (+N%)".
      const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
      let change = null;
      for (let t = walker.nextNode(); t && !change; t = walker.nextNode()) {
        const arrow = t.textContent.indexOf('→');
        const open = arrow < 0 ? -1 : t.textContent.indexOf('(', arrow);
        const close = open < 0 ? -1 : t.textContent.indexOf(')', open);
        if (close > open) {
          const r = document.createRange();
          r.setStart(t, open);
          r.setEnd(t, close + 1);
          change = {text: t.textContent.slice(open, close + 1), box: r.getBoundingClientRect()};
        }
      }
      if (name.height === 0 || name.bottom > fold) {
        out.problems.push(`the regressed row ${regressed} is named at ${Math.round(name.bottom)} px, below the first ${fold} px`);
      }
      if (!change) {
        out.problems.push(`the regression of ${regressed} shows no change "(…)" after its figures`);
      } else if (change.box.height === 0 || change.box.bottom > fold) {
        out.problems.push(`the change of ${regressed} ${change.text} ends at ${Math.round(change.box.bottom)} px, below the first ${fold} px`);
      } else {
        out.regressed = `${regressed} ${change.text} at ${Math.round(change.box.bottom)} px`;
      }
    }
  }
  return JSON.stringify(out);
})()
"""


def devtools(chromium, profile):
    proc = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--remote-debugging-port=0", "--window-size=1280,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            return proc, int(open(port_file).read().split()[0])
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("Chromium did not open its DevTools port")


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    args, regressed = sys.argv[1:], None
    if "--regressed" in args:
        at = args.index("--regressed")
        if at + 1 >= len(args):
            print("check-layout: --regressed needs a scenario's name", file=sys.stderr)
            return 2
        regressed = args[at + 1]
        del args[at:at + 2]
    chromium, page = args[0], os.path.abspath(args[1])
    min_details = int(args[2]) if len(args) > 2 else 0
    screenshot = args[3] if len(args) > 3 else None
    measure = MEASURE.replace("REGRESSED", json.dumps(regressed))
    # Chromium may still be writing its profile as it exits: removed without complaint after.
    profile = tempfile.mkdtemp()
    try:
        proc, port = devtools(chromium, profile)
        try:
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
            ws = websocket.create_connection(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"], timeout=60)
            ids = iter(range(1, 10**6))

            def call(method, **params):
                i = next(ids)
                ws.send(json.dumps({"id": i, "method": method, "params": params}))
                while True:
                    msg = json.loads(ws.recv())
                    if msg.get("id") == i:
                        return msg.get("result", {})

            call("Page.enable")
            # The window a reader has: 1280 x 900 CSS pixels, whatever the headless shell's frame takes.
            call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            call("Page.navigate", url="file://" + page)
            for _ in range(100):
                state = call("Runtime.evaluate", expression="document.readyState", returnByValue=True)
                if state.get("result", {}).get("value") == "complete":
                    break
                time.sleep(0.1)
            measured = json.loads(call("Runtime.evaluate", expression=measure, returnByValue=True)["result"]["value"])
            if screenshot:
                shot = call("Page.captureScreenshot", format="png")
                with open(screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
        finally:
            proc.kill()
            proc.wait()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    problems = list(measured["problems"])
    if measured["pageWidth"] > measured["windowWidth"]:
        problems.append(f"the page is {measured['pageWidth']} px wide, wider than its window ({measured['windowWidth']} px inside the scroll bar)")
    if measured["details"] < min_details:
        problems.append(f"{measured['details']} <details> sections, expected at least {min_details}")
    if measured["charts"] == 0 or measured["texts"] == 0:
        problems.append("no chart text was measured")
    for p in problems:
        print("check-layout: " + p)
    if not problems:
        print(f"check-layout: ok ({measured['charts']} charts, {measured['texts']} labels measured, none overlapping; "
              f"{measured['details']} <details> sections; the page {measured['pageWidth']} px wide, its window {measured['windowWidth']} px inside the scroll bar"
              + (f"; the regression {measured['regressed']}, on the first screen" if regressed else "") + ")")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
