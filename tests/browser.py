"""Open a page in headless Chromium (Debian's) over the DevTools protocol and report
what a reader's browser would: JavaScript errors, console errors and warnings,
failed requests, and which chart elements hold a drawn SVG or canvas.

For a page that keeps working after it loads (JupyterLab), ``navigate``, ``evaluate`` and
``wait_until`` drive it, and every event the browser sends meanwhile is kept in ``events``;
``problems(events)`` and ``requested_urls(events)`` read them.

``axe()`` runs axe-core (pinned in tests/axe/package-lock.json, installed by `make test`) in the open
page; ``serious(violations)`` keeps what a test fails on."""

import base64
import functools
import json
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websocket

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "about:blank"]
# "fits": the drawing is no wider than the column that holds it (nothing cut at the column's edge)
CHARTS_JS = """Array.from(document.querySelectorAll('div.vega-chart')).map(el => {
  const drawing = el.querySelector('svg.marks, canvas.marks, svg, canvas');
  return {id: el.id, drawn: !!drawing,
          fits: !drawing || drawing.getBoundingClientRect().width <= el.parentElement.clientWidth + 1};
})"""
AXE_JS = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# axe's default rules (WCAG 2.0-2.2 A and AA, and its best practices) and label-content-name-mismatch
# (WCAG 2.5.3, a name that says what the control shows), which axe ships switched off as experimental.
# No preload: axe would fetch the stylesheets again, which a page opened from disk may not (CORS errors).
AXE_OPTIONS = {"preload": False, "rules": {"label-content-name-mismatch": {"enabled": True}}}
AXE_RUN_JS = """axe.run(document, %s).then(result => result.violations.map(v => ({
  id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))"""
FAILING_IMPACTS = ("serious", "critical")


@dataclass
class PageReport:
    url: str
    errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)


class Browser:
    def __init__(self):
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self._process = subprocess.Popen(["chromium", f"--user-data-dir={self._profile.name}", *FLAGS],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True)
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        for _ in range(200):
            if port_file.exists() and port_file.read_text().count("\n") >= 1:
                break
            time.sleep(0.05)
        port = port_file.read_text().splitlines()[0]
        import urllib.request
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(t for t in targets if t["type"] == "page")
        self._ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self._next_id = 0
        self.events: list = []  # what navigate, evaluate and wait_until saw
        for domain in ("Page", "Runtime", "Log", "Network"):
            self._call(f"{domain}.enable")

    def _call(self, method: str, params: dict | None = None, events: list | None = None) -> dict:
        self._next_id += 1
        self._ws.send(json.dumps({"id": self._next_id, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == self._next_id:
                return message.get("result", {})
            if events is not None and "method" in message:
                events.append(message)

    def _drain(self, events: list, seconds: float) -> None:
        self._ws.settimeout(0.2)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                events.append(json.loads(self._ws.recv()))
            except websocket.WebSocketTimeoutException:
                continue
        self._ws.settimeout(30)

    def open(self, url: str, settle: float = 2.0) -> PageReport:
        events: list = []
        self._call("Page.navigate", {"url": url}, events)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in events) and time.monotonic() < deadline:
            self._drain(events, 0.5)
        self._drain(events, settle)  # let Vega draw after the load event
        report = PageReport(url)
        report.errors, report.failed_requests = problems(events)
        result = self._call("Runtime.evaluate", {"expression": CHARTS_JS, "returnByValue": True})
        report.charts = result["result"]["value"]
        return report

    # --- pages that keep working after they load ----------------------------------------------------
    def navigate(self, url: str, timeout: float = 30) -> None:
        """Go to ``url`` and wait for its load event; events go to ``self.events``."""
        start = len(self.events)
        self._call("Page.navigate", {"url": url}, self.events)
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events[start:]):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load in {timeout:.0f} s")
            self._drain(self.events, 0.2)

    def evaluate(self, expression: str, await_promise: bool = False):
        """The value of a JavaScript expression in the page (a promise's value with ``await_promise``)."""
        result = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                 "awaitPromise": await_promise}, self.events)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(details.get("exception", {}).get("description") or details.get("text"))
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float, what: str | None = None, poll: float = 0.25):
        """Poll a JavaScript expression until it is truthy; its value, or TimeoutError naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"not within {timeout:.0f} s: {what or expression}")
            self._drain(self.events, poll)

    def press_tab(self) -> None:
        """Press and release the Tab key, as a keyboard user moving to the next focusable element."""
        for kind in ("keyDown", "keyUp"):
            self._call("Input.dispatchKeyEvent", {"type": kind, "key": "Tab", "code": "Tab",
                                                  "windowsVirtualKeyCode": 9}, self.events)

    def click(self, x: float, y: float) -> None:
        """A mouse click at a point of the viewport."""
        for kind in ("mousePressed", "mouseReleased"):
            self._call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                    "clickCount": 1}, self.events)

    def hover(self, x: float, y: float) -> None:
        """The mouse moved to a point of the viewport."""
        self._call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}, self.events)

    def screenshot(self, path, clip: tuple[int, int, int, int] | None = None) -> None:
        """Save a PNG of the page as it is drawn now, or of the part ``clip`` = (x, y, width, height)."""
        params = {"format": "png"}
        if clip:
            x, y, width, height = clip
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": x, "y": y, "width": width, "height": height, "scale": 1}}
        data = self._call("Page.captureScreenshot", params, self.events)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def axe(self, options: dict | None = None) -> list[dict]:
        """Run axe-core in the open page: its violations, each {id, impact, help, nodes (CSS selectors)}."""
        if self.evaluate("typeof window.axe") != "object":
            self.evaluate(axe_source() + "\n;typeof window.axe")
        script = AXE_RUN_JS % json.dumps(AXE_OPTIONS if options is None else options)
        return self.evaluate(script, await_promise=True)

    def set_viewport(self, width: int, height: int) -> None:
        self._call("Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, self.events)

    def close(self) -> None:
        self._ws.close()
        os.killpg(self._process.pid, signal.SIGTERM)  # Chromium's helper processes too
        self._process.wait(timeout=10)
        self._profile.cleanup()


def problems(events: list) -> tuple[list[str], list[str]]:
    """The JavaScript errors, console errors and warnings, and failed requests among some events."""
    errors, failed = [], []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            errors.append(details.get("exception", {}).get("description") or details.get("text"))
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            errors.append(params["entry"]["text"])
        elif method == "Network.loadingFailed":
            failed.append(f"{params.get('errorText')} (request {params.get('requestId')})")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            failed.append(f"{params['response']['status']} {params['response']['url']}")
    return errors, failed


def requested_urls(events: list) -> list[str]:
    """Every URL the page asked for (Network.requestWillBeSent), in order."""
    return [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]


@functools.cache
def axe_source() -> str:
    """axe.min.js as `make test` installs it from tests/axe/package-lock.json."""
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: `make test` installs it (or run "
                                "`npm ci --ignore-scripts --prefix tests/axe`)")
    return AXE_JS.read_text(encoding="utf-8")


def serious(violations: list[dict]) -> list[str]:
    """The serious and critical violations among axe's, one line each: impact, rule, help, where."""
    return [f"{v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'][:5])}"
            + (f" and {len(v['nodes']) - 5} more" if len(v["nodes"]) > 5 else "")
            for v in violations if v["impact"] in FAILING_IMPACTS]
