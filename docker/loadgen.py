#!/usr/bin/env python3
"""A small, bounded load generator for cluster/docker-test (Python standard library only).

  loadgen.py run --url http://127.0.0.1:8080 --out results.jsonl --phase-file phase \
                 [--concurrency 4] [--max-requests 3000] [--max-seconds 240] [--stop-file stop] [--key KEY]
      Sends non-streaming chat requests from N threads until --max-requests were sent, --max-seconds
      passed or --stop-file exists. Each request is tagged with the phase named in --phase-file when it
      started; one JSON line per request: phase, status, code (error code), worker, request_id
      (x-triage-request-id), cost_usd (x-triage-cost-usd), ms.
  loadgen.py one --url URL --out results.jsonl --phase P [--key KEY]
      One request, recorded the same way (so its charge counts); prints it; exits 1 unless it answered
      200 from a worker.
  loadgen.py report --out results.jsonl --phase P [--allow 502:worker_lost] [--min N]
      Prints the phase's results; exits 1 when a request failed in a way not allowed, or fewer than N ran.
  loadgen.py summary --out results.jsonl
      One line per phase, plus distinct workers and the clients' total cost (sum of x-triage-cost-usd).
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from urllib.parse import urlparse

PROMPTS = [
    "What is the capital of France?",
    "Name three primary colors.",
    "How many legs does a spider have?",
    "Translate 'good morning' into Spanish.",
    "Compare the trade-offs of B-trees and LSM trees for a write-heavy workload, with examples.",
    "Explain what a hash map is to a new programmer, in a short paragraph.",
]


def one_request(host, port, key, timeout):
    body = json.dumps({"model": "auto",
                       "messages": [{"role": "user", "content": random.choice(PROMPTS)}]}).encode()
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", "/v1/chat/completions", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        code = None
        if resp.status != 200:
            try:
                code = json.loads(data)["error"]["code"]
            except Exception:
                code = "not_json"
        return {"status": resp.status, "code": code, "worker": resp.getheader("x-triage-worker"),
                "request_id": resp.getheader("x-triage-request-id"), "cost_usd": resp.getheader("x-triage-cost-usd")}
    except Exception as e:  # connection refused, reset, timeout: a failed request, never clean
        return {"status": 0, "code": type(e).__name__, "worker": None, "request_id": None, "cost_usd": None}
    finally:
        conn.close()


def run(a):
    u = urlparse(a.url)
    deadline = time.monotonic() + a.max_seconds
    lock = threading.Lock()
    sent = [0]
    out = open(a.out, "a", buffering=1)

    def phase():
        try:
            with open(a.phase_file) as f:
                return f.read().strip() or "none"
        except OSError:
            return "none"

    def loop():
        while time.monotonic() < deadline and not (a.stop_file and os.path.exists(a.stop_file)):
            with lock:
                if sent[0] >= a.max_requests:
                    return
                sent[0] += 1
            p = phase()
            t = time.monotonic()
            r = one_request(u.hostname, u.port or 80, a.key, a.timeout)
            r.update(phase=p, ms=int((time.monotonic() - t) * 1000))
            with lock:
                out.write(json.dumps(r) + "\n")
            if a.pause_ms:
                time.sleep(a.pause_ms / 1000)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()
    return 0


def one(a):
    u = urlparse(a.url)
    t = time.monotonic()
    r = one_request(u.hostname, u.port or 80, a.key, a.timeout)
    r.update(phase=a.phase, ms=int((time.monotonic() - t) * 1000))
    with open(a.out, "a") as out:
        out.write(json.dumps(r) + "\n")
    print(json.dumps(r))
    return 0 if r["status"] == 200 and r["worker"] else 1


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def describe(rows):
    c = Counter("200" if r["status"] == 200 else "%s:%s" % (r["status"], r["code"]) for r in rows)
    return ", ".join("%s=%d" % kv for kv in sorted(c.items()))


def report(a):
    rows = [r for r in load(a.out) if r["phase"] == a.phase]
    allowed = set(a.allow or [])
    bad = [r for r in rows if r["status"] != 200 and "%s:%s" % (r["status"], r["code"]) not in allowed]
    print("phase %s: %d requests (%s)" % (a.phase, len(rows), describe(rows) or "none"))
    for r in bad[:5]:
        print("  not allowed: %s" % json.dumps(r), file=sys.stderr)
    return 1 if bad or len(rows) < a.min else 0


def summary(a):
    rows = load(a.out)
    for p in dict.fromkeys(r["phase"] for r in rows):
        pr = [r for r in rows if r["phase"] == p]
        print("phase %-12s %4d requests: %s" % (p, len(pr), describe(pr)))
    workers = sorted({r["worker"] for r in rows if r["worker"]})
    cost = sum((Decimal(r["cost_usd"]) for r in rows if r["status"] == 200 and r["cost_usd"]), Decimal(0))
    print("distinct workers %d; clients charged %s USD over %d answered requests"
          % (len(workers), cost, sum(1 for r in rows if r["status"] == 200)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--phase-file", required=True)
    r.add_argument("--stop-file")
    r.add_argument("--concurrency", type=int, default=4)
    r.add_argument("--max-requests", type=int, default=3000)
    r.add_argument("--max-seconds", type=float, default=240)
    r.add_argument("--timeout", type=float, default=30)
    r.add_argument("--pause-ms", type=int, default=0)
    r.add_argument("--key")
    p = sub.add_parser("report")
    p.add_argument("--out", required=True)
    p.add_argument("--phase", required=True)
    p.add_argument("--allow", action="append")
    p.add_argument("--min", type=int, default=1)
    o = sub.add_parser("one")
    o.add_argument("--url", required=True)
    o.add_argument("--out", required=True)
    o.add_argument("--phase", required=True)
    o.add_argument("--timeout", type=float, default=30)
    o.add_argument("--key")
    s = sub.add_parser("summary")
    s.add_argument("--out", required=True)
    a = ap.parse_args()
    return {"run": run, "one": one, "report": report, "summary": summary}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
