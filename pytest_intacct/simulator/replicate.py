"""Many companies from one scenario (fleet rehearsals, benchmarks): hundreds of companies, one server."""

from __future__ import annotations

import dataclasses

from .model import Scenario


def replicate(scenario: Scenario, copies: int) -> Scenario:
    """``scenario`` with each company and login repeated ``copies`` times under numbered ids.

    Company ``ACME`` becomes ``ACME-0001`` ... and login ``test`` becomes ``test-0001`` ...; copy ``i``
    of every login signs in to copy ``i`` of its company. Senders, gateway settings and faults are shared.
    """
    if not 1 <= copies <= 9999:
        raise ValueError(f"copies must be from 1 to 9999, got {copies}")

    def numbered(name: str, number: int) -> str:
        return f"{name}-{number:04d}"

    companies = {
        numbered(company_id, number): dataclasses.replace(company, company_id=numbered(company_id, number))
        for number in range(1, copies + 1)
        for company_id, company in scenario.companies.items()
    }
    logins = tuple(
        dataclasses.replace(
            login, name=numbered(login.name, number), company_id=numbered(login.company_id, number)
        )
        for number in range(1, copies + 1)
        for login in scenario.logins
    )
    return dataclasses.replace(
        scenario,
        name=f"{scenario.name} x{copies}",
        description=f"{scenario.description} ({copies} copies)",
        companies=companies,
        logins=logins,
    )
