#!/usr/bin/env python3
"""A real browser for the sign-in tests: Debian's headless Chromium, driven by selenium
through Debian's chromedriver (no download). It opens --url, lets the pages do what they do
(redirects, auto-submitted forms, scripts) until the browser's address starts with --until,
saves a PNG screenshot of that page to --screenshot and writes a JSON report to --report:

  {"url": the final address without its query, "query_names": the final query's names,
   "title": ..., "text": the page's visible text, "screenshot": the PNG's path,
   "documents": [{"method": "GET"|"POST", "url": address without query}, ...]}

`documents` lists every page request the browser made, in order, from Chromium's own
network log, so a test can tell a redirect (GET) from an auto-submitted form (POST).

Only loopback is reachable: every host name resolves to nothing (the tests use 127.0.0.1),
and Chromium's background traffic (updates, sync, metrics) is off. The run has a deadline
(--timeout); chromedriver and Chromium are stopped on every way out, including SIGTERM. Even
when this script is killed outright, nothing is left behind: chromedriver gets SIGKILL when
its parent dies (PR_SET_PDEATHSIG), and Chromium, talking to chromedriver over a pipe rather
than a port, quits when that pipe closes.
"""
import argparse
import ctypes
import json
import os
import signal
import sys
import time
from urllib.parse import parse_qsl, urlsplit, urlunsplit

# Selenium must use the given driver and never look one up or report usage over the network.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


class Deadline(Exception):
    pass


PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Runs in chromedriver's process before exec: SIGKILL it when this script dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def without_query(url):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def page_requests(driver):
    """Every page request to a web server in Chromium's performance log: method and address."""
    documents = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"]).get("message", {})
        if message.get("method") != "Network.requestWillBeSent":
            continue
        params = message.get("params", {})
        if params.get("type") != "Document":
            continue
        request = params.get("request", {})
        if not request.get("url", "").startswith(("http:", "https:")):
            continue  # the browser's own start page
        documents.append({"method": request.get("method"), "url": without_query(request.get("url", ""))})
    return documents


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--until", required=True, help="address prefix of the page to end on")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--report", required=True)
    parser.add_argument("--profile", required=True, help="a folder for Chromium's profile and chromedriver's log")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()

    # A parent may start us with signals blocked; the deadline and a polite stop need them.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM, signal.SIGTERM})

    def give_up(signum, frame):
        raise Deadline("stopped by signal %d" % signum)

    signal.signal(signal.SIGALRM, give_up)
    signal.signal(signal.SIGTERM, give_up)
    signal.alarm(max(1, int(args.timeout)))

    os.makedirs(args.profile, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for argument in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=800,600", "--user-data-dir=" + os.path.join(args.profile, "chromium"),
        "--no-first-run", "--no-default-browser-check", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--remote-debugging-pipe",
    ]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(args.chromedriver, log_output=os.path.join(args.profile, "chromedriver.log"),
                      popen_kw={"preexec_fn": die_with_parent})

    driver = None
    started = time.monotonic()
    try:
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(args.timeout)
        driver.get(args.url)
        remaining = max(1.0, args.timeout - (time.monotonic() - started))
        WebDriverWait(driver, remaining, poll_frequency=0.05).until(
            lambda d: d.current_url.startswith(args.until)
            and d.execute_script("return document.readyState") == "complete")
        final = driver.current_url
        report = {
            "url": without_query(final),
            "query_names": [name for name, _ in parse_qsl(urlsplit(final).query, keep_blank_values=True)],
            "title": driver.title,
            "text": driver.execute_script("return document.body ? document.body.innerText : ''"),
            "screenshot": args.screenshot if driver.save_screenshot(args.screenshot) else None,
            "documents": page_requests(driver),
        }
        with open(args.report, "w") as file:
            json.dump(report, file, indent=2)
        return 0
    except Exception as error:  # noqa: BLE001 - report any failure, then stop the browser
        where = without_query(driver.current_url) if driver else "(no browser)"
        sys.stderr.write("headless_browser: %s: %s (at %s)\n" % (type(error).__name__, error, where))
        return 1
    finally:
        signal.alarm(0)
        if driver is not None:
            driver.quit()
        else:
            service.stop()


if __name__ == "__main__":
    sys.exit(main())
