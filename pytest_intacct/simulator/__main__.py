"""``python -m pytest_intacct.simulator --scenario NAME_OR_PATH``: serve a scenario until SIGINT/SIGTERM.

Prints exactly one JSON line once listening: the login URL, the scenario's primary login (with its entity)
and, with ``--tls``, the certificate to trust. That line is the only place credentials are ever printed.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading

from .scenario import ScenarioError, available_scenarios, load_scenario
from .server import Simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_intacct.simulator",
        description="Serve a simulated Sage Intacct XML gateway for one scenario.",
        epilog=f"Shipped scenarios: {', '.join(available_scenarios())}",
    )
    parser.add_argument("--scenario", required=True, help="a shipped scenario name or a .toml path")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: 0, a free port)")
    parser.add_argument("--journal", default=None, help="append one JSON line per request to this file")
    parser.add_argument(
        "--advertise-host",
        default=None,
        metavar="NAME",
        help="host name for the URLs handed out when a request's Host header cannot be followed, e.g. a "
        "*.intacct.com name the client resolves to this machine (default: the --host address)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a throwaway certificate (needs the openssl command)",
    )
    args = parser.parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    try:
        simulator = Simulator(
            scenario,
            host=args.host,
            port=args.port,
            journal_path=args.journal,
            advertise_host=args.advertise_host,
            tls=args.tls,
        )
    except ValueError:
        print(
            f"error: --advertise-host {args.advertise_host!r} is not a host name or IP address",
            file=sys.stderr,
        )
        return 2
    try:
        simulator.start()
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    except (RuntimeError, subprocess.SubprocessError) as error:
        print(f"error: --tls: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    login = simulator.primary_login
    line = {
        "endpoint": simulator.endpoint,
        "sender_id": login.sender_id,
        "sender_password": login.sender_password,
        "company_id": login.company_id,
        "user_id": login.user_id,
        "user_password": login.user_password,
        "entity": login.entity_id,
        "ca_file": None if simulator.ca_file is None else str(simulator.ca_file),
    }
    print(json.dumps(line), flush=True)
    while not stop.wait(0.2):
        pass
    simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
