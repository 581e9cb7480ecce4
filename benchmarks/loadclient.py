"""The simulated people of :mod:`benchmarks.bench_serve`: an HTTP client, the page mix, the
think-time loop and the statistics.

Plain ``http.client`` (no dependency, and light on the CPU the server shares with it):
one keep-alive connection per person, the session cookie kept by hand. A GET on a
reused connection that the server had closed (keep-alive expiry, a recycled worker) is
retried once on a new connection, as a browser does; the retry is inside the timing.
"""

from __future__ import annotations

import http.client
import math
import random
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# label -> (description, URL for the parent id and a sub-fund id)
PAGES: dict[str, tuple[str, Callable[[int, int], str]]] = {
    "parent": ("the parent fund's page", lambda p, s: f"/funds/{p}"),
    "look_through": ("the parent's look-through", lambda p, s: f"/funds/{p}/look-through"),
    "parent_performance": ("the parent's performance", lambda p, s: f"/funds/{p}/performance"),
    "sub_fund": ("a random sub-fund's page", lambda p, s: f"/funds/{s}"),
    "sub_performance": ("a random sub-fund's performance",
                        lambda p, s: f"/funds/{s}/performance"),
}
DEFAULT_MIX = "parent=2,look_through=2,parent_performance=1,sub_fund=3,sub_performance=2"


def parse_mix(text: str) -> dict[str, float]:
    """``label=weight,...`` -> weights (labels of :data:`PAGES`; weight 0 drops a page)."""
    mix: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, _, weight = part.partition("=")
        if label not in PAGES:
            raise ValueError(f"unknown page {label!r} (known: {', '.join(PAGES)})")
        mix[label] = float(weight or 1)
    mix = {k: w for k, w in mix.items() if w > 0}
    if not mix:
        raise ValueError("the page mix is empty")
    return mix


@dataclass(frozen=True)
class PageMix:
    """The weighted pages over one portfolio: the parent fund and its sub-funds."""

    weights: dict[str, float]
    parent: int
    subs: list[int]

    def pick(self, rng: random.Random) -> tuple[str, str]:
        label = rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
        return label, PAGES[label][1](self.parent, rng.choice(self.subs))

    def distinct(self) -> list[tuple[str, str]]:
        """Every distinct (label, URL) the mix can ask for."""
        out = []
        for label in self.weights:
            make = PAGES[label][1]
            urls = dict.fromkeys(make(self.parent, s) for s in self.subs)
            out.extend((label, url) for url in urls)
        return out


@dataclass(frozen=True)
class Sample:
    """One page request: ``seconds`` from sending to the last body byte."""

    label: str
    url: str
    status: int  # 0: no answer (timeout, connection error)
    seconds: float
    nbytes: int
    started: float  # seconds since the timed phase began
    error: str | None


class Client:
    """One person's browser: a keep-alive connection and the cookies it was given."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str,
                form: dict[str, str] | None = None) -> tuple[int, bytes, str]:
        """(status, body, Location header); raises TimeoutError / OSError on no answer."""
        headers = {"User-Agent": "fundops-bench-serve", "Accept-Language": "zh-CN,zh;q=0.9"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 1 and reused and method == "GET":
                    continue  # the server closed an idle connection: reconnect once
                raise
            except BaseException:
                self.close()
                raise
            for header in response.headers.get_all("Set-Cookie") or []:
                cookie: SimpleCookie = SimpleCookie()
                cookie.load(header)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if response.will_close:
                self.close()
            return response.status, data, response.headers.get("Location", "")
        raise AssertionError("unreachable")

    def log_in(self, email: str, password: str) -> float:
        """GET /login for the CSRF token, POST the form; seconds the POST took."""
        status, body, _ = self.request("GET", "/login")
        match = _CSRF.search(body.decode("utf-8", "replace"))
        if status != 200 or not match:
            raise RuntimeError(f"GET /login: HTTP {status}, CSRF token "
                               f"{'found' if match else 'missing'}")
        t0 = time.perf_counter()
        status, _, location = self.request("POST", "/login", {
            "email": email, "password": password, "csrf_token": match.group(1)})
        seconds = time.perf_counter() - t0
        if status != 302 or "/login" in location:
            raise RuntimeError(f"log-in of {email} failed: HTTP {status} -> {location!r}")
        return seconds

    def fetch(self, label: str, url: str, t0: float) -> Sample:
        """GET ``url``; a non-200 answer or no answer is an error."""
        started = time.perf_counter()
        status, nbytes, error = 0, 0, None
        try:
            status, body, location = self.request("GET", url)
            nbytes = len(body)
            if status != 200:
                error = f"HTTP {status}" + (f" -> {location}" if location else "")
        except TimeoutError:
            error = f"no answer within {self.timeout:g} s"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        return Sample(label, url, status, time.perf_counter() - started, nbytes,
                      started - t0, error)


def run_users(clients: list[Client], mix: PageMix, duration: float,
              think: tuple[float, float], seed: int,
              stop: threading.Event) -> tuple[list[Sample], float]:
    """Each client in its own thread: a first pause of up to ``think[1]`` seconds
    (people do not all click at once), then GET a page of the mix, pause uniform
    ``think`` seconds, until ``duration`` has passed. A request started before the end
    is waited for. Returns the samples and the elapsed time to the last answer."""
    samples: list[Sample] = []
    lock = threading.Lock()
    t0 = time.perf_counter()
    deadline = t0 + duration

    def person(index: int, client: Client) -> None:
        rng = random.Random(seed * 100_003 + index)
        if stop.wait(rng.uniform(0, think[1])):
            return
        while time.perf_counter() < deadline and not stop.is_set():
            label, url = mix.pick(rng)
            sample = client.fetch(label, url, t0)
            with lock:
                samples.append(sample)
            if stop.wait(rng.uniform(*think)):
                return

    threads = [threading.Thread(target=person, args=(i, c), daemon=True,
                                name=f"person-{i}") for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)
    except KeyboardInterrupt:
        stop.set()
        raise
    ends = [s.started + s.seconds for s in samples]
    return samples, max([duration, *ends])


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank of an ascending list (q = 0.99 for p99)."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarise(samples: list[Sample], elapsed: float) -> dict[str, Any]:
    """Requests, pages/s, p50/p90/p99/max (seconds, over every request, errors included at
    the time they took), errors with the first one's text, the median size of the
    answers that succeeded."""
    times = sorted(s.seconds for s in samples)
    errors = [s for s in samples if s.error]
    ok_sizes = [s.nbytes for s in samples if not s.error]
    if not times:
        return {"requests": 0, "errors": 0}
    return {"requests": len(samples), "pages_per_s": len(samples) / elapsed,
            "p50_s": percentile(times, 0.50), "p90_s": percentile(times, 0.90),
            "p99_s": percentile(times, 0.99), "max_s": times[-1], "errors": len(errors),
            "first_error": (f"{errors[0].url}: {errors[0].error}" if errors else None),
            "bytes_median": statistics.median(ok_sizes) if ok_sizes else None}


def by_label(samples: list[Sample], labels: list[str], elapsed: float) -> dict[str, Any]:
    """:func:`summarise` per page label (in ``labels`` order) and ``overall``."""
    out = {label: summarise([s for s in samples if s.label == label], elapsed)
           for label in labels}
    out["overall"] = summarise(samples, elapsed)
    return out


def table(stats: dict[str, Any]) -> str:
    """The per-page statistics as a fixed-width table (times in ms)."""
    lines = [(f"{'page':<20} {'requests':>8} {'pages/s':>8} {'p50':>9} {'p90':>9} {'p99':>9} "
              f"{'max':>9} {'errors':>7} {'KB (median)':>12}")]
    for label, s in stats.items():
        if not s["requests"]:
            lines.append(f"{label:<20} {0:>8}")
            continue
        size = "" if s["bytes_median"] is None else f"{s['bytes_median'] / 1024:.0f}"
        lines.append(
            f"{label:<20} {s['requests']:>8} {s['pages_per_s']:>8.2f} "
            + " ".join(f"{s[k] * 1000:>6.0f} ms" for k in ("p50_s", "p90_s", "p99_s", "max_s"))
            + f" {s['errors']:>7} {size:>12}")
    firsts = [f"  {label}: {s['first_error']}" for label, s in stats.items()
              if label != "overall" and s.get("first_error")]
    if firsts:
        lines.append("first error per page:")
        lines.extend(firsts)
    return "\n".join(lines)
