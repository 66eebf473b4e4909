"""Drives pyintacct (PyPI), unchanged, through the calls its conformance test checks; run by its own
interpreter (tests/simulator/thirdparty.py). Reads a plan (endpoints and credentials, JSON) on stdin and
prints one JSON object: call name -> outcome. Only the client's login URL attribute is pointed at the
simulator."""

from __future__ import annotations

import json
import socket
import sys

import loopback  # before the client: confines name resolution to the simulator's public name

if not loopback.active():
    sys.exit("calls.py: the loopback wrapper is not active; refusing to send anything")

from pyintacct import IntacctAPI


def client(target):
    api = IntacctAPI(
        {
            "SENDER_ID": target["sender_id"],
            "SENDER_PW": target["sender_password"],
            "COMPANY_ID": target["company_id"],
            "USER_ID": target["user_id"],
            "USER_PW": target["user_password"],
        }
    )
    api.url = target["endpoint"]  # its hard-coded https://api.intacct.com login URL, rebound
    return api


def outcome(action):
    try:
        return {"ok": True, "value": action()}
    except Exception as error:
        return {"ok": False, "error": {"type": type(error).__name__, "message": str(error)}}


def ids(nodes, field):
    return [str(node[field]) for node in nodes]


def main(plan):
    api = client(plan["main"])
    results = {
        "readByQuery": outcome(
            lambda: ids(
                api.read_by_query("DEPARTMENT", "", "DEPARTMENTID,STATUS", pagesize=2), "DEPARTMENTID"
            )
        ),
        "session": {"ok": api.sessionid is not None, "value": {"url": api.url}},
        "readByQueryActive": outcome(
            lambda: ids(api.read_by_query("EMPLOYEE", "STATUS = 'T'", "EMPLOYEEID"), "EMPLOYEEID")
        ),
        "readByQueryInactive": outcome(
            lambda: ids(api.read_by_query("EMPLOYEE", "STATUS = 'F'", "EMPLOYEEID"), "EMPLOYEEID")
        ),
        "inspect": outcome(
            lambda: [str(field) for field in api.inspect("DEPARTMENT").find_nodes_with_tag("Field")]
        ),
    }
    wrong_sender = client({**plan["main"], "sender_password": "not-the-sender-password"})
    results["wrongSenderPassword"] = outcome(lambda: wrong_sender.read_by_query("DEPARTMENT", ""))
    wrong_user = client({**plan["main"], "user_password": "not-the-user-password"})
    results["wrongUserPassword"] = outcome(lambda: wrong_user.read_by_query("DEPARTMENT", ""))
    results["permissionDenied"] = outcome(lambda: client(plan["denied"]).read_by_query("APADJUSTMENT", ""))
    results["throttled"] = outcome(lambda: client(plan["throttled"]).read_by_query("DEPARTMENT", ""))
    results["unavailable"] = outcome(lambda: client(plan["unavailable"]).read_by_query("DEPARTMENT", ""))
    results["otherNameRefused"] = outcome(lambda: socket.getaddrinfo("api.intacct.com", 443))
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.load(sys.stdin))))
