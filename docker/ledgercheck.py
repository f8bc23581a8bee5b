#!/usr/bin/env python3
"""The budget and ledger checks of cluster/docker-test and cluster/chaos (Python standard library only).

  ledgercheck.py --out results.jsonl --team NAME --spend spend.json --db triage.sqlite

--out is what docker/loadgen.py recorded (one line per request, with request_id and cost_usd);
--spend is `triage spend --team NAME --json` (run in the coordinator container while the stack ran);
--db is a copy of the stack's SQLite store taken after the stack stopped (with its -wal/-shm files,
if any, next to it). Prints one line per check, `ok<TAB>...` or `FAIL<TAB>...`; exits 1 when one failed.

Checks, all in exact nano-dollars (x-triage-cost-usd has nine decimals):
  - every answered request (200; a stream to [DONE]) carried x-triage-cost-usd and x-triage-request-id;
  - the team's spend in the ledger (`triage spend`) is what the clients were charged (the sum of
    x-triage-cost-usd over every response that carried one: answers, and errors after billed attempts,
    whose streams carry the cost in a comment before the error event), except that requests lost with a
    killed (or stopped) worker (worker_lost, without a cost) may have
    been settled without reaching their client: 0 <= ledger - charged <= worker_lost responses x the
    largest single charge; never less in the ledger than the clients were charged;
  - per request: each charged request's ledger rows sum to exactly its charge, and ledger rows of
    requests no client saw charged belong to worker_lost responses;
  - the store agrees with itself: `triage spend` = sum(ledger.cost_nano) = sum(spend_periods.spent_nano);
  - no reservation still counts (none unexpired) once every request ended;
  - PRAGMA integrity_check says ok.
"""
import argparse
import json
import sqlite3
import sys
import time
from collections import defaultdict
from decimal import Decimal

NANO = Decimal(1_000_000_000)
failed = 0


def result(ok, text):
    global failed
    if not ok:
        failed += 1
    print("%s\t%s" % ("ok" if ok else "FAIL", text))


def nano(usd):
    v = Decimal(usd) * NANO
    if v != v.to_integral_value():
        raise ValueError("not a whole number of nano-dollars: %s" % usd)
    return int(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--team", required=True)
    ap.add_argument("--spend", required=True)
    ap.add_argument("--db", required=True)
    a = ap.parse_args()

    rows = [json.loads(line) for line in open(a.out) if line.strip()]
    answered = [r for r in rows if r["status"] == 200 and not r.get("code")]
    lost = [r for r in rows if r.get("code") == "worker_lost" and not r.get("cost_usd")]
    missing = [r for r in answered if not r.get("cost_usd") or not r.get("request_id")]
    result(not missing, "every answered request carried x-triage-cost-usd and x-triage-request-id (%d answered, %d without)"
           % (len(answered), len(missing)))
    charged_errors = [r for r in rows if not (r["status"] == 200 and not r.get("code")) and r.get("cost_usd")]
    charges = {}
    for r in answered + charged_errors:
        if r.get("cost_usd") and r.get("request_id"):
            charges[r["request_id"]] = charges.get(r["request_id"], 0) + nano(r["cost_usd"])
    charged = sum(charges.values())
    largest = max(charges.values(), default=0)

    spend = json.load(open(a.spend))
    mine = [s for s in spend if s.get("team") == a.team]
    ledger = sum(int(s["cost_nano"]) for s in mine)
    diff = ledger - charged
    allowed = len(lost) * largest
    result(mine and 0 <= diff <= allowed,
           "ledger spend of team %s equals what the clients were charged: ledger %d nano-USD (triage spend), charged %d "
           "over %d answered requests and %d charged errors; ledger - charged = %d (allowed 0..%d: %d worker_lost x largest charge %d)"
           % (a.team, ledger, charged, len(answered), len(charged_errors), diff, allowed, len(lost), largest))

    db = sqlite3.connect("file:%s?mode=ro" % a.db, uri=True)
    integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    result(integrity == ["ok"], "PRAGMA integrity_check: %s" % "; ".join(integrity[:5]))

    team = db.execute("SELECT id FROM teams WHERE name = ?", (a.team,)).fetchone()
    if team is None:
        result(False, "team %s is in the store" % a.team)
        return 1
    team_id = team[0]
    per_request = defaultdict(int)
    for rid, cost in db.execute("SELECT request_id, cost_nano FROM ledger WHERE team_id = ?", (team_id,)):
        per_request[rid] += cost
    ledger_rows = sum(per_request.values())
    periods = db.execute("SELECT coalesce(sum(spent_nano), 0) FROM spend_periods WHERE team_id = ?", (team_id,)).fetchone()[0]
    result(ledger == ledger_rows == periods,
           "store consistent: triage spend %d = sum(ledger.cost_nano) %d = sum(spend_periods.spent_nano) %d"
           % (ledger, ledger_rows, periods))

    wrong = [(rid, c, per_request.get(rid, 0)) for rid, c in charges.items() if per_request.get(rid, 0) != c]
    result(not wrong, "each charged request's ledger rows sum to its charge (%d requests, %d differ%s)"
           % (len(charges), len(wrong), ": " + ", ".join("%s charged %d ledger %d" % w for w in wrong[:3]) if wrong else ""))
    lost_ids = {r.get("request_id") for r in lost}
    extra = {rid: c for rid, c in per_request.items() if rid not in charges and c != 0}
    strays = [rid for rid in extra if rid not in lost_ids]
    result(not strays, "ledger rows of unanswered requests belong to worker_lost responses (%d settled for %d worker_lost, "
           "%d nano-USD; %d of no worker_lost response%s)"
           % (len(extra), len(lost), sum(extra.values()), len(strays), ": " + ", ".join(strays[:3]) if strays else ""))

    now = time.time()
    total, live, amount = db.execute(
        "SELECT count(*), coalesce(sum(expires_at > ?), 0), coalesce(sum(CASE WHEN expires_at > ? THEN amount_nano END), 0) "
        "FROM reservations", (now, now)).fetchone()
    result(live == 0, "no reservation left once all requests ended: %d unexpired (%d nano-USD), %d rows in all "
           "(expired ones are deleted by the workers' next reclaim)" % (live, amount, total))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
