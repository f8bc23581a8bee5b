#!/usr/bin/env python3
"""A small, bounded load generator for cluster/docker-test, cluster/chaos and cluster/soak (Python
standard library only).

  loadgen.py run --url http://127.0.0.1:8080 --out results.jsonl --phase-file phase \
                 [--concurrency 4] [--max-requests 3000] [--max-seconds 240] [--stop-file stop] [--key KEY]
                 [--stream-share F] [--rate R] [--timeout S]
      Sends chat requests from N threads until --max-requests were sent, --max-seconds
      passed or --stop-file exists. Each request is tagged with the phase named in --phase-file when it
      started; one JSON line per request: phase, status, code (error code), worker, request_id
      (x-triage-request-id), cost_usd (x-triage-cost-usd), ms, stream, at (start, seconds into the run).
      --stream-share F sends that fraction of requests with "stream": true; a stream's code is the code
      of an error event, or "eof" when it ended without [DONE] or an error event, and its cost_usd the
      `: x-triage-cost-usd=` comment. --rate R paces all clients together to R requests/s.
      --timeout is the whole request's limit; a request past it is recorded as status 0, code "hung".
  loadgen.py one --url URL --out results.jsonl --phase P [--key KEY] [--stream] [--model M] [--prompt TEXT]
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


def one_request(host, port, key, timeout, stream=False, model="auto", prompt=None):
    body = {"model": model, "messages": [{"role": "user", "content": prompt or random.choice(PROMPTS)}]}
    if stream:
        body["stream"] = True
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    deadline = time.monotonic() + timeout
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("POST", "/v1/chat/completions", body=json.dumps(body).encode(), headers=headers)
        resp = conn.getresponse()
        r = {"status": resp.status, "code": None, "worker": resp.getheader("x-triage-worker"),
             "request_id": resp.getheader("x-triage-request-id"), "cost_usd": resp.getheader("x-triage-cost-usd"),
             "stream": stream}
        if resp.status == 200 and stream:
            r.update(read_stream(resp, deadline))
        else:
            data = resp.read()
            if resp.status != 200:
                r["code"] = error_code(data)
        return r
    except Exception as e:  # connection refused, reset, timeout: a failed request, never clean
        code = "hung" if time.monotonic() >= deadline or isinstance(e, TimeoutError) else type(e).__name__
        return {"status": 0, "code": code, "worker": None, "request_id": None, "cost_usd": None, "stream": stream}
    finally:
        conn.close()


def error_code(data):
    """The code of an OpenAI error body ("error" when it has none); "not_json" when it is not one."""
    try:
        e = json.loads(data)["error"]
        if not isinstance(e, dict) or not isinstance(e.get("message"), str):
            return "not_json"
        return e.get("code") or e.get("type") or "error"
    except Exception:
        return "not_json"


def read_stream(resp, deadline):
    """Reads Server-Sent Events to [DONE] or an error event; the cost comes in a comment line."""
    out = {"code": "eof"}
    while time.monotonic() < deadline:
        line = resp.readline()
        if not line:
            return out
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        if line.startswith(": ") and "x-triage-cost-usd=" in line:
            out["cost_usd"] = line.split("x-triage-cost-usd=", 1)[1].split()[0]
        elif line == "data: [DONE]":
            out["code"] = None
            return out
        elif line.startswith("data: ") and '"error"' in line[:16]:
            out["code"] = error_code(line[6:])
            return out
    raise TimeoutError("stream past its deadline")


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

    start = time.monotonic()

    def loop():
        while time.monotonic() < deadline and not (a.stop_file and os.path.exists(a.stop_file)):
            with lock:
                if sent[0] >= a.max_requests:
                    return
                sent[0] += 1
                slot = start + sent[0] / a.rate if a.rate else 0
            if slot:  # paced: request n starts no earlier than n / rate seconds in
                time.sleep(max(0.0, slot - time.monotonic()))
            p = phase()
            t = time.monotonic()
            r = one_request(u.hostname, u.port or 80, a.key, a.timeout, stream=random.random() < a.stream_share)
            r.update(phase=p, ms=int((time.monotonic() - t) * 1000), at=round(t - start, 3))
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
    r = one_request(u.hostname, u.port or 80, a.key, a.timeout, stream=a.stream, model=a.model, prompt=a.prompt)
    r.update(phase=a.phase, ms=int((time.monotonic() - t) * 1000))
    with open(a.out, "a") as out:
        out.write(json.dumps(r) + "\n")
    print(json.dumps(r))
    return 0 if answered(r) and r["worker"] else 1


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def answered(r):
    """A whole answer: 200, and for a stream [DONE] rather than an error event."""
    return r["status"] == 200 and not r.get("code")


def describe(rows):
    c = Counter("200" if answered(r) else "%s:%s" % (r["status"], r["code"]) for r in rows)
    return ", ".join("%s=%d" % kv for kv in sorted(c.items()))


def report(a):
    rows = [r for r in load(a.out) if r["phase"] == a.phase]
    allowed = set(a.allow or [])
    bad = [r for r in rows if not answered(r) and "%s:%s" % (r["status"], r["code"]) not in allowed]
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
    cost = sum((Decimal(r["cost_usd"]) for r in rows if answered(r) and r["cost_usd"]), Decimal(0))
    print("distinct workers %d; clients charged %s USD over %d answered requests"
          % (len(workers), cost, sum(1 for r in rows if answered(r))))
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
    r.add_argument("--stream-share", type=float, default=0)
    r.add_argument("--rate", type=float, default=0)
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
    o.add_argument("--stream", action="store_true")
    o.add_argument("--key")
    o.add_argument("--model", default="auto")
    o.add_argument("--prompt", help="the user message (default: one of the load's prompts at random)")
    s = sub.add_parser("summary")
    s.add_argument("--out", required=True)
    a = ap.parse_args()
    return {"run": run, "one": one, "report": report, "summary": summary}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
