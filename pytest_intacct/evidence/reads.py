"""The reads check kinds declare: what to ask the gateway, and how its answer becomes plain data.

A kind declares :class:`Need` objects (``user_info()``, ``one_record("object")``...). For one environment
and one requirement a need resolves to a :class:`Read` whose ``key`` identifies it, so reads that several
requirements share are sent once (see ``snapshot.collect``). Values are plain JSON data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from lxml import etree

from pytest_intacct.client import ErrorKind, GatewayUnavailable, Level
from pytest_intacct.client import functions as fn
from pytest_intacct.client.records import to_permissions, to_records
from pytest_intacct.profiles.spelling import normalize

# Plain JSON data (read-only views, so list[str] and dict[str, str] are Json too).
Json = None | bool | int | float | str | Sequence["Json"] | Mapping[str, "Json"]
Login = Literal["user", "developer"]
# Which login's session sends a read: the integration's own ("user"), or the auditor's.
Reader = Literal["user", "auditor"]


@dataclass(frozen=True)
class Read:
    """One gateway read: its key, the function that reads it, and the parser of its ``<data>`` pages.

    ``needs_data``: a success without ``<data>`` is "could not check". ``paged``: follow ``readMore``
    until nothing remains; otherwise only the first page counts (a one-record probe). ``reader``: whose
    session sends it (facts about users go through the auditor login when there is one).
    """

    key: str
    build: Callable[[], fn.Function] = field(compare=False, repr=False)
    parse: Callable[[Sequence[etree._Element]], Json] = field(compare=False, repr=False)
    paged: bool = False
    needs_data: bool = True
    reader: Reader = "user"

    @property
    def source(self) -> Literal["xml"]:
        """Where the fact comes from: the XML gateway (the REST API's reads are ``RestRead``)."""
        return "xml"


@dataclass(frozen=True)
class Subject:
    """Whom an environment's reads are about (the Web Services user and the developer account, if set),
    the auditor login that reads facts about users, if there is one, and the REST API's username when the
    environment has REST access (REST reads resolve only then)."""

    user_id: str
    developer_user_id: str | None = None
    auditor_user_id: str | None = None
    rest_username: str | None = None

    def login(self, who: Login) -> str | None:
        return self.user_id if who == "user" else self.developer_user_id

    @property
    def about_users(self) -> Reader:
        """Who reads users, roles and permissions: the auditor when there is one."""
        return "auditor" if self.auditor_user_id else "user"


Resolve = Callable[[Subject, Mapping[str, Any]], Any]  # a Read, a RestRead, or None


@dataclass(frozen=True)
class Need:
    """A read a kind declares: the name its check uses, what it reads (said when it cannot resolve), and
    how it resolves.

    ``resolve(subject, params)`` gives the read for one requirement in one environment, or None when
    it does not apply (no developer account configured, no object to probe, no REST access). ``about_users``:
    it reads users, roles or permissions, which the checker itself needs rights for (docs/diagnosis.md).
    ``source``: ``xml`` (the gateway, batched after getAPISession) or ``rest`` (the REST API, after one
    token; see ``rest_reads``).
    """

    name: str
    description: str
    resolve: Resolve = field(compare=False, repr=False)
    about_users: bool = False
    source: Literal["xml", "rest"] = "xml"


def user_info(who: Login = "user", name: str | None = None) -> Need:
    """``readByName USERINFO`` of the login: its record as a dict, or None if there is no such user."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> Read | None:
        login = subject.login(who)
        if not login:
            return None
        return Read(
            f"USERINFO/{login}",
            lambda: fn.read_by_name("USERINFO", [login]),
            _record_of(login),
            reader=subject.about_users,
        )

    return Need(name or f"{who}_info", f"readByName USERINFO of the {who}", resolve, about_users=True)


def user_permissions(who: Login = "user", name: str | None = None) -> Need:
    """``getUserPermissions`` of the login: ``{application: {policy: [rights]}}``."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> Read | None:
        login = subject.login(who)
        if not login:
            return None
        return Read(
            f"getUserPermissions/{login}",
            lambda: fn.get_user_permissions(login),
            _permissions,
            reader=subject.about_users,
        )

    return Need(name or f"{who}_permissions", f"getUserPermissions of the {who}", resolve, about_users=True)


def role_users(who: Login = "user", name: str | None = None) -> Need:
    """``readByQuery ROLEUSERS`` of the login, every page: the sorted role names."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> Read | None:
        login = subject.login(who)
        if not login:
            return None
        query = f"USERLOGINID = {fn.escape_literal(login)}"
        return Read(
            f"ROLEUSERS/{login}",
            lambda: fn.read_by_query("ROLEUSERS", query, ("USERLOGINID", "ROLENAME")),
            _roles_of(login),
            paged=True,
            # readByQuery answers an empty <data count="0"/>; no <data> at all is no answer.
            reader=subject.about_users,
        )

    description = f"readByQuery ROLEUSERS of the {who} (all pages)"
    return Need(name or f"{who}_roles", description, resolve, about_users=True)


def one_record(param: str = "object", name: str = "object") -> Need:
    """A one-record ``readByQuery`` of the object named by the requirement's ``param``: the count read."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> Read | None:
        obj = params.get(param)
        if not obj:
            return None
        return Read(
            f"readByQuery/{obj}",
            lambda: fn.read_by_query(obj, "", ("RECORDNO",), pagesize=1),
            _first_page_count,
        )

    return Need(name, f"a one-record readByQuery of the object in params.{param}", resolve)


def subscriptions(name: str = "subscriptions") -> Need:
    """``get_applications``: the sorted application codes the company subscribes to (``CO``, ``GL``...)."""

    def resolve(subject: Subject, params: Mapping[str, Any]) -> Read | None:
        return Read("get_applications", fn.get_applications, _codes)

    return Need(name, "get_applications (the company's subscriptions)", resolve)


def _record_of(login: str) -> Callable[[Sequence[etree._Element]], Json]:
    """The record whose LOGINID is ``login`` (None if the company has no such user).

    An answer that holds only other logins' records is not evidence about this one, nor is one that
    holds this login's record twice with different facts: either raises, so the reading is "could not
    check" rather than someone else's status, or the first of two, judged as this user's.
    """

    def parse(pages: Sequence[etree._Element]) -> Json:
        records = [record for page in pages for record in to_records(page)]
        mine = [r for r in records if str(r.get("LOGINID", "")).casefold() == login.casefold()]
        if records and not mine:
            raise _contradiction(f"USERINFO answered for {records[0].get('LOGINID')!r}, not for {login!r}")
        for record in mine:
            repeated = [name for name, value in record.items() if isinstance(value, list)]
            if repeated:
                shown = ", ".join(f"{name} {record[name]!r}" for name in repeated[:3])
                raise _contradiction(f"USERINFO gives {login!r} a field more than once: {shown}")
        for other in mine[1:]:
            if other != mine[0]:
                differences = _differences(mine[0], other)
                raise _contradiction(
                    f"USERINFO holds {login!r} twice, and the records disagree: {differences}"
                )
        return mine[0] if mine else None

    return parse


def _contradiction(message: str) -> GatewayUnavailable:
    """A result that contradicts itself or the question: no evidence (ErrorKind.CONTRADICTORY)."""
    error = GatewayUnavailable(ErrorKind.CONTRADICTORY, message)
    error.level = Level.FUNCTION
    return error


def _differences(first: Mapping[str, Any], second: Mapping[str, Any]) -> str:
    """The fields two records of one key disagree on, both values shown: ``STATUS 'active' / 'inactive'``."""
    fields = [f for f in dict.fromkeys([*first, *second]) if first.get(f) != second.get(f)]
    return "; ".join(f"{f} {first.get(f)!r} / {second.get(f)!r}" for f in fields[:5])


def _roles_of(login: str) -> Callable[[Sequence[etree._Element]], Json]:
    """The sorted role names assigned to ``login``; a row for another login is not evidence."""

    def parse(pages: Sequence[etree._Element]) -> Json:
        rows = [row for page in pages for row in to_records(page)]
        others = [r for r in rows if str(r.get("USERLOGINID", "")).casefold() != login.casefold()]
        if others:
            raise _contradiction(
                f"ROLEUSERS answered for {others[0].get('USERLOGINID')!r}, not for {login!r}"
            )
        return sorted({str(r["ROLENAME"]) for r in rows if r.get("ROLENAME")})

    return parse


def _permissions(pages: Sequence[etree._Element]) -> Json:
    """``{application: {policy: [rights]}}``; one policy under one application twice, however its names are
    spelled (checks match labels as :func:`normalize` does), with different rights, is a contradiction."""
    merged: dict[str, Json] = {}
    seen: dict[tuple[str, str], tuple[str, str, list[str]]] = {}
    for page in pages:
        for application, policies in to_permissions(page).items():
            for policy, granted in policies.items():
                rights = sorted(granted)
                key = (normalize(application), normalize(policy))
                first = seen.setdefault(key, (application, policy, rights))
                if sorted(normalize(r) for r in first[2]) != sorted(normalize(r) for r in rights):
                    raise _contradiction(
                        f"getUserPermissions lists {first[0]} > {first[1]} and {application} > {policy}, "
                        f"with rights {'|'.join(first[2]) or 'none'} and {'|'.join(rights) or 'none'}"
                    )
            merged[application] = {policy: sorted(rights) for policy, rights in policies.items()}
    return merged


def _codes(pages: Sequence[etree._Element]) -> Json:
    """``<data><application>CO</application>…`` (developer.intacct.com subscriptions page): sorted codes."""
    return sorted({(el.text or "").strip() for page in pages for el in page.iter("application")} - {""})


def _first_page_count(pages: Sequence[etree._Element]) -> Json:
    return len([child for child in pages[0] if isinstance(child.tag, str)]) if pages else 0
