"""Application subscriptions a runbook requires (Time & Expenses, Customization Services...).

``get_applications`` lists the company's subscriptions as application codes (developer.intacct.com
subscriptions page: ``CO``, ``CM``, ``GL``, ``AP``); the catalogue maps an application to its code
(profiles/vocabulary.py). An application whose code no public source gives cannot be read: manual.
"""

from __future__ import annotations

from pytest_intacct.checks.registry import EnvironmentContext, check
from pytest_intacct.evidence.reads import subscriptions
from pytest_intacct.profiles import Param
from pytest_intacct.profiles import vocabulary as v
from pytest_intacct.results.finding import Finding


@check(
    "application-subscription",
    params={"application": Param("strings", vocabulary="application")},
    reads=[subscriptions()],
)
def application_subscription(ctx: EnvironmentContext) -> Finding:
    """The company subscribes to ``application`` (any of the names given: "Customization Services" or
    "Platform Services"), as get_applications lists it."""
    names = ctx.params["application"]
    expected = f"the company subscribes to {' or '.join(names)}"
    codes = {
        name: (known.code, known.code_source) if (known := v.application(name)) else (None, None)
        for name in names
    }
    evidence: dict[str, object] = {"codes": {name: code for name, (code, _) in codes.items()}}
    unknown = [name for name, (code, _) in codes.items() if code is None]
    if len(unknown) == len(names):
        return Finding.manual(
            expected,
            f"no public source gives the application code of {' or '.join(unknown)}, so get_applications "
            "cannot show it: confirm it under Company > Admin > Subscriptions",
            evidence,
        )
    reading = ctx.reading("subscriptions")
    if reading.problem is not None:
        return Finding.error(
            expected, f"not checked: get_applications is not readable ({reading.problem.message})", evidence
        )
    listed = [str(code) for code in reading.value] if isinstance(reading.value, list) else []
    evidence["subscribed"] = listed
    found = [name for name, (code, _) in codes.items() if code in listed]
    if found:
        code, source = codes[found[0]]
        how = "documented" if source else "inferred from get_companyprefs' application codes"
        return Finding.passed(
            expected, f"get_applications lists {code} ({found[0]}; the code is {how})", evidence
        )
    if unknown:
        return Finding.manual(
            expected,
            f"get_applications lists {', '.join(listed) or 'nothing'}, and the code of "
            f"{' or '.join(unknown)} "
            "is not known: confirm it under Company > Admin > Subscriptions",
            evidence,
        )
    wanted = ", ".join(f"{code} ({name})" for name, (code, _) in codes.items())
    return Finding.failed(
        expected, f"get_applications lists {', '.join(listed) or 'nothing'}, not {wanted}", evidence
    )
