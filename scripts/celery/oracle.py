"""Celery's own API as the tests' oracle: reads a JSON request on stdin, prints a JSON answer.

    {"op": "states", "ids": [...]}            -> {"<id>": "SUCCESS", ...}      (AsyncResult(id).state)
    {"op": "inspect"}                         -> {"active": [...ids], "reserved": [...], "scheduled": [...]}
    {"op": "send", "task": "...", "args": [], "kwargs": {}, "countdown": null, "queue": null} -> {"id": "..."}
    {"op": "revoke", "id": "...", "terminate": false}
    {"op": "get", "id": "...", "timeout": 10}  -> {"result": ..., "state": "..."}
"""
import json
import sys

from jobscope_tasks import app


def main():
    req = json.load(sys.stdin)
    op = req["op"]
    if op == "states":
        out = {i: app.AsyncResult(i).state for i in req["ids"]}
    elif op == "inspect":
        insp = app.control.inspect(timeout=req.get("timeout", 1.0))
        def ids(replies, scheduled=False):
            found = []
            for tasks in (replies or {}).values():
                for t in tasks:
                    found.append((t["request"] if scheduled else t)["id"])
            return sorted(found)
        out = {"active": ids(insp.active()), "reserved": ids(insp.reserved()), "scheduled": ids(insp.scheduled(), True)}
    elif op == "send":
        opts = {}
        if req.get("countdown") is not None:
            opts["countdown"] = req["countdown"]
        if req.get("queue"):
            opts["queue"] = req["queue"]
        r = app.send_task(req["task"], args=req.get("args", []), kwargs=req.get("kwargs", {}), **opts)
        out = {"id": r.id}
    elif op == "revoke":
        app.control.revoke(req["id"], terminate=req.get("terminate", False))
        out = {"ok": True}
    elif op == "get":
        r = app.AsyncResult(req["id"])
        try:
            value = r.get(timeout=req.get("timeout", 10), propagate=False)
        except Exception as exc:  # timeout
            value = repr(exc)
        out = {"result": value if isinstance(value, (dict, list, int, float, str, type(None))) else repr(value), "state": r.state}
    else:
        raise SystemExit(f"unknown op {op}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
