"""The simulator's in-memory records: a private copy of the scenario's data, changed by accepted writes."""

from __future__ import annotations

import copy
import threading

from .catalog import OBJECTS, ObjectType
from .model import Company, Scenario
from .security import derived_rows

Row = dict[str, str]


class DataStore:
    """Records per company and object; security objects are derived from the company model on each read."""

    def __init__(self, scenario: Scenario) -> None:
        self._records: dict[str, dict[str, list[Row]]] = {
            company_id: {name: [dict(row) for row in rows] for name, rows in company.records.items()}
            for company_id, company in scenario.companies.items()
        }
        self._lock = threading.RLock()

    def rows(self, company: Company, object_type: ObjectType) -> list[Row]:
        """Copies of the object's rows, ordered by RECORDNO."""
        if object_type.derived:
            return derived_rows(company, object_type.name)
        with self._lock:
            rows = [dict(row) for row in self._records[company.company_id].get(object_type.name, [])]
        return sorted(rows, key=lambda row: int(row.get("RECORDNO") or 0))

    def fields(self, company: Company, object_type: ObjectType) -> tuple[str, ...]:
        """The object's fields: the catalogue's, then any extra ones the scenario's records carry."""
        extra: list[str] = []
        for row in self.rows(company, object_type):
            extra.extend(key for key in row if key not in object_type.fields and key not in extra)
        return object_type.fields + tuple(extra)

    def joined(self, company: Company, object_type: ObjectType) -> tuple[tuple[str, ...], list[Row]]:
        """Fields and rows with the object's many-to-one relationships joined in, one level deep
        (``MANAGER.EMPLOYEEID``; assumption: related records' own dotted fields are not reachable)."""
        fields = list(self.fields(company, object_type))
        rows = self.rows(company, object_type)
        for relation in object_type.relationships:
            target = OBJECTS[relation.object_name]
            related = [name for name in self.fields(company, target) if "." not in name]
            by_key = {row[relation.key]: row for row in self.rows(company, target) if row.get(relation.key)}
            fields.extend(f"{relation.path}.{name}" for name in related)
            for row in rows:
                match = by_key.get(row.get(relation.related_by, ""), {})
                row.update({f"{relation.path}.{name}": match.get(name, "") for name in related})
        return tuple(fields), rows

    def create(self, company: Company, object_type: ObjectType, values: Row) -> Row:
        with self._lock:
            rows = self._records[company.company_id].setdefault(object_type.name, [])
            number = max((int(row["RECORDNO"]) for row in rows), default=0) + 1
            row = {**values, "RECORDNO": str(number)}
            rows.append(row)
            return dict(row)

    def update(self, company: Company, object_type: ObjectType, values: Row) -> Row | None:
        """Update the row named by RECORDNO or the object's name field; ``None`` when there is none."""
        key_field = "RECORDNO" if values.get("RECORDNO") else object_type.name_field
        with self._lock:
            for row in self._records[company.company_id].get(object_type.name, []):
                if values.get(key_field) and row.get(key_field) == values[key_field]:
                    row.update({k: v for k, v in values.items() if k != "RECORDNO"})
                    return dict(row)
        return None

    def delete(self, company: Company, object_type: ObjectType, record_nos: list[str]) -> list[str]:
        with self._lock:
            rows = self._records[company.company_id].get(object_type.name, [])
            deleted = [row["RECORDNO"] for row in rows if row["RECORDNO"] in record_nos]
            rows[:] = [row for row in rows if row["RECORDNO"] not in record_nos]
            return deleted

    def snapshot(self, company: Company) -> dict[str, list[Row]]:
        """A copy to restore when a ``transaction="true"`` operation rolls back."""
        with self._lock:
            return copy.deepcopy(self._records[company.company_id])

    def restore(self, company: Company, snapshot: dict[str, list[Row]]) -> None:
        with self._lock:
            self._records[company.company_id] = snapshot
