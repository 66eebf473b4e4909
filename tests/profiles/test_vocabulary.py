"""Profiles speak the runbook's language and are checked against Intacct's: a near miss of a known name is a
problem naming the file, the requirement and the name meant; an unknown name is a warning; the UI's words are
names; every problem of a profile is one error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_intacct.checks import read_profile, warnings_of
from pytest_intacct.profiles import ProfileError
from pytest_intacct.profiles import vocabulary as v
from pytest_intacct.profiles.spelling import near_miss
from pytest_intacct.simulator.catalog import OBJECTS as SIMULATED

DOCS = Path(__file__).parents[2] / "docs"
HEADER = 'name = "acme"\ntitle = "Acme integration"\nsource = "Acme help centre"\n'


def requirement(rid: str, check: str, params: str, area: str = "permissions") -> str:
    return (
        f'\n[[requirements]]\nid = "{rid}"\ntitle = "A line of the runbook"\nrunbook_step = "Step"\n'
        f'severity = "high"\narea = "{area}"\ncheck = "{check}"\nparams = {params}\nremediation = "A > B"\n'
    )


def write(tmp_path: Path, *requirements: str, extra: str = "") -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(HEADER + extra + "".join(requirements), encoding="utf-8")
    return path


def refused(path: Path) -> ProfileError:
    with pytest.raises(ProfileError) as raised:
        read_profile(str(path))
    assert str(raised.value).startswith(f"profile {path}: ")
    return raised.value


TYPOS = [
    pytest.param(
        requirement(
            "departments",
            "permission",
            '{ application = ["Compnay"], policy = "Departments", right = "View" }',
        ),
        "requirement 'departments': key 'params.application': 'Compnay' is not an Intacct application; "
        "did you mean 'Company'?",
        id="Compnay",
    ),
    pytest.param(
        requirement(
            "departments",
            "permission",
            '{ application = ["Company"], policy = "Departmens", right = "View" }',
        ),
        "requirement 'departments': key 'params.policy': 'Departmens' is not a policy of Company; "
        "did you mean 'Departments'?",
        id="Departmens",
    ),
    pytest.param(
        requirement(
            "departments",
            "permission",
            '{ application = ["Company"], policy = "Departments", right = "Veiw" }',
        ),
        "requirement 'departments': key 'params.right': 'Veiw' is not an Intacct right; did you mean 'View'?",
        id="Veiw",
    ),
    pytest.param(
        requirement(
            "departments",
            "permission",
            '{ application = ["Company"], policy = "Departments", right = "View", object = "DEPARTMNT" }',
        ),
        "requirement 'departments': key 'params.object': 'DEPARTMNT' is not an Intacct object; "
        "did you mean 'DEPARTMENT'?",
        id="DEPARTMNT",
    ),
    pytest.param(
        requirement("business", "user-type", '{ expected = "Bussiness" }', area="user"),
        "requirement 'business': key 'params.expected': 'Bussiness' is not a user type; "
        "did you mean 'Business'?",
        id="Bussiness",
    ),
    pytest.param(
        requirement("company", "grant", '{ application = "Company", rights = "Read-onyl" }'),
        "requirement 'company': key 'params.rights': 'Read-onyl' is not an Intacct right; "
        "did you mean 'Read-only'?",
        id="Read-onyl",
    ),
]


@pytest.mark.parametrize(("text", "message"), TYPOS)
def test_a_near_miss_of_a_known_name_is_a_problem_with_the_name_meant(tmp_path, text, message):
    error = refused(write(tmp_path, text))
    assert str(error) == f"profile {tmp_path / 'acme.toml'}: {message}"


@pytest.mark.parametrize(
    ("check", "params"),
    [
        ("user-type", '{ expected = "Business" }'),
        ("user-type", '{ expected = "business user" }'),
        ("user-type", '{ expected = "View only" }'),
        ("user-admin", '{ expected = "Full" }'),
    ],
)
def test_the_ui_s_words_and_the_api_s_are_both_names(tmp_path, check, params):
    profile = read_profile(str(write(tmp_path, requirement("r", check, params, area="user"))))
    assert warnings_of(profile) == []


def test_every_problem_of_a_profile_is_one_error(tmp_path):
    path = write(
        tmp_path,
        requirement(
            "a", "permission", '{ application = ["Compnay"], policy = "Departments", right = "View" }'
        ),
        requirement(
            "b", "permission", '{ application = ["Company"], policy = "Departmens", right = "Veiw" }'
        ),
        requirement("c", "permision", "{}"),
        requirement("Bad_Id", "user-login", "{}", area="user"),
        requirement("e", "grant", '{ application = "Company" }'),
    )
    error = refused(path)
    assert len(error.problems) == 6
    assert str(error).splitlines()[0] == f"profile {path}: 6 problems:"
    for fragment in (
        "'Compnay'",
        "'Departmens'",
        "'Veiw'",
        "unknown check 'permision'",
        "'Bad_Id'",
        "a grant needs",
    ):
        assert fragment in str(error)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ('{ application = "Company" }', "a grant needs 'params.rights' (at least), 'params.at_most'"),
        (
            '{ policy = "Departments", rights = "All" }',
            "key 'params.policy' names a policy of 'params.application'",
        ),
        (
            '{ application = "Company", object = "DEPARTMENT", rights = "Read" }',
            "key 'params.object' proves one policy",
        ),
        (
            '{ application = "Customization Services", rights = "All" }',
            "knows no policy of 'Customization Services'",
        ),
        (
            '{ application = "Company", policy = "Payroll Runs", rights = "All" }',
            "\"All\" on 'Company' > 'Payroll Runs'",
        ),
        (
            '{ application = "Company", rights = ["Post"] }',
            "no policy of Company that the catalogue knows offers 'Post'",
        ),
        (
            '{ application = "Company", policy = "Locations", rights = "Read", object = "DEPARTMENT" }',
            "'DEPARTMENT' is guarded by Company > Departments, not by 'Locations'",
        ),
    ],
)
def test_a_grant_the_check_cannot_judge_is_a_problem(tmp_path, params, fragment):
    assert fragment in str(refused(write(tmp_path, requirement("g", "grant", params))))


def test_a_name_nobody_knows_is_a_warning_never_silently_accepted(tmp_path):
    profile = read_profile(
        str(
            write(
                tmp_path,
                requirement(
                    "payroll",
                    "grant",
                    '{ application = "Company", policy = "Payroll Runs", rights = ["View"] }',
                ),
            )
        )
    )
    (warning,) = warnings_of(profile)
    assert warning.startswith(
        f"profile {profile.path}: requirement 'payroll': key 'params.policy': 'Payroll Runs'"
    )
    assert "not a policy of Company that the catalogue of Intacct names knows (docs/vocabulary.md)" in warning


def test_custom_objects_and_dimensions_are_declared_in_the_profile(tmp_path):
    custom = '\n[custom]\nobjects = ["COSTCENTER"]\npolicies = ["Cost Centers"]\n'
    text = requirement(
        "cost-centers",
        "grant",
        '{ application = "Company", policy = "Cost Centers", rights = ["View"], object = "COSTCENTER" }',
    )
    profile = read_profile(str(write(tmp_path, text, extra=custom)))
    assert warnings_of(profile) == []
    assert profile.custom.objects == {"COSTCENTER"}


def test_near_misses_are_one_slip_away_and_unknown_names_are_not():
    assert near_miss("Departmens", ["Departments", "Locations"]) == "Departments"
    assert near_miss("departments", ["Departments"]) is None  # the same name, in another case
    assert near_miss("Payroll", ["Departments", "Locations"]) is None
    assert near_miss("Add", ["Edit", "List"]) is None


def test_every_name_is_confirmed_by_a_listed_source_or_marked_assumed():
    cited = [a.source for a in v.APPLICATIONS] + [p.source for a in v.APPLICATIONS for p in a.policies]
    cited += [p.rights_source for a in v.APPLICATIONS for p in a.policies] + [o.source for o in v.OBJECTS]
    cited += [a.code_source for a in v.APPLICATIONS]
    assert {source for source in cited if source is not None} <= set(v.SOURCES)


def test_the_vocabulary_document_lists_every_application_and_policy_with_its_mark():
    text = (DOCS / "vocabulary.md").read_text(encoding="utf-8")
    for application in v.APPLICATIONS:
        assert f"### {application.name}" in text
        for policy in application.policies:
            mark = "assumed" if policy.source is None else policy.source
            assert re.search(rf"^\| {re.escape(policy.name)} \| {re.escape(mark)} \|", text, re.MULTILINE), (
                policy.name
            )
    for key in v.SOURCES:
        assert f"`{key}`" in text


def test_the_simulator_guards_each_object_by_the_policy_the_catalogue_names():
    both = [o for o in v.OBJECTS if o.name in SIMULATED]
    assert len(both) >= 12
    for known in both:
        simulated = SIMULATED[known.name]
        assert (simulated.application, simulated.policy) == (known.application, known.policy), known.name


# --- through pytest -----------------------------------------------------------------------------------------


def test_every_typo_of_a_profile_is_one_usage_error_before_any_request(pytester):
    path = write(
        pytester.path,
        requirement(
            "a", "permission", '{ application = ["Compnay"], policy = "Departments", right = "View" }'
        ),
        requirement(
            "b", "permission", '{ application = ["Company"], policy = "Departmens", right = "View" }'
        ),
        requirement("c", "permission", '{ application = ["Company"], policy = "Locations", right = "Veiw" }'),
        requirement(
            "d",
            "permission",
            '{ application = ["Company"], policy = "Departments", right = "View", object = "DEPARTMNT" }',
        ),
        requirement("e", "user-type", '{ expected = "Business" }', area="user"),
    )
    journal = pytester.path / "journal.jsonl"
    result = pytester.runpytest(
        "--intacct-env=demo", f"--intacct-profile={path}", f"--intacct-journal={journal}"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"*profile {path}: 4 problems:",
            "*1. requirement 'a': key 'params.application': 'Compnay' *; did you mean 'Company'?",
            "*2. requirement 'b': key 'params.policy': 'Departmens' *; did you mean 'Departments'?",
            "*3. requirement 'c': key 'params.right': 'Veiw' *; did you mean 'View'?",
            "*4. requirement 'd': key 'params.object': 'DEPARTMNT' *; did you mean 'DEPARTMENT'?",
        ]
    )
    assert "'Business'" not in result.stderr.str()  # the UI's word is a name
    assert not journal.exists() or not journal.read_text()


def test_an_unknown_name_warns_and_its_requirement_is_judged_as_written(pytester):
    path = write(
        pytester.path,
        requirement(
            "payroll", "grant", '{ application = "Company", policy = "Payroll Runs", rights = ["View"] }'
        ),
    )
    result = pytester.runpytest("--intacct-env=demo", f"--intacct-profile={path}", "-rA")
    assert (
        result.ret == pytest.ExitCode.TESTS_FAILED
    )  # the company grants no such policy: never a silent pass
    result.stdout.fnmatch_lines(
        [
            "intacct: warning: profile *: requirement 'payroll': key 'params.policy': 'Payroll Runs' is not "
            "a policy of Company that the catalogue of Intacct names knows (docs/vocabulary.md)*",
            "*FAIL payroll [[]demo[]]*",
            "  observed: getUserPermissions lacks Company > Payroll Runs "
            "(a name the catalogue does not know): View",
            "*ProfileWarning: profile *'Payroll Runs'*",
        ]
    )
