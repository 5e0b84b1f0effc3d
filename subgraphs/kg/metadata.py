"""A project's `.renku/` metadata as JSON-LD files: one file per dataset, plan and activity.

`.renku/datasets/<id>.jsonld`, `.renku/plans/<id>.jsonld` and `.renku/activities/<id>.jsonld`
hold compacted JSON-LD with schema.org and PROV-O terms under one fixed `@context`, so a user
who writes such files from a session or a laptop and pushes them gets the same graph. Reading
is tolerant: a file that does not parse is reported and skipped, never fatal to the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from renku_fed.subgraphs.kg.backends.vocabulary import (
    PROV,
    RENKU,
    SCHEMA,
    dataset_iri,
    local_id,
    workflow_iri,
)
from renku_fed.subgraphs.kg.models import (
    ActivityRecord,
    DatasetRecord,
    Person,
    ProjectMetadata,
    WorkflowRecord,
)

ROOT = ".renku/"
FOLDERS = {"datasets": "datasets", "plans": "plans", "activities": "activities"}
CONTEXT = {"schema": SCHEMA, "prov": PROV, "renku": RENKU}
Document = dict[str, Any]


def path_of(kind: str, record_id: str) -> str:
    """Where the file of a record lives in the repository."""
    return f"{ROOT}{FOLDERS[kind]}/{record_id}.jsonld"


def encode(document: Document) -> bytes:
    """A document as the bytes committed (sorted keys, so re-recording changes nothing)."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _files(paths: Iterable[str]) -> list[Document]:
    return [{"@type": "prov:Entity", "prov:atLocation": path} for path in paths]


def _person(person: Person) -> Document:
    found = {
        "@type": ["prov:Person", "schema:Person"],
        "schema:name": person.name,
        "schema:email": person.email,
        "schema:affiliation": person.affiliation,
        "schema:identifier": person.user_id,
    }
    return _compact(found)


def _compact(document: Document) -> Document:
    return {k: v for k, v in document.items() if v is not None and v != []}


def dataset_document(record: DatasetRecord) -> Document:
    """The JSON-LD of a dataset."""
    derived = {"@id": dataset_iri(record.derived_from).value} if record.derived_from else None
    return _compact(
        {
            "@context": CONTEXT,
            "@id": dataset_iri(record.id).value,
            "@type": ["prov:Entity", "schema:Dataset"],
            "schema:identifier": record.id,
            "schema:alternateName": record.name,
            "schema:name": record.title,
            "schema:description": record.description,
            "schema:keywords": list(record.keywords),
            "schema:creator": [_person(p) for p in record.creators],
            "schema:hasPart": _files(record.files),
            "schema:dateCreated": _date(record.date_created),
            "schema:datePublished": _date(record.date_published),
            "schema:dateModified": _date(record.date_modified),
            "schema:sameAs": {"@id": record.same_as} if record.same_as else None,
            "prov:wasDerivedFrom": derived,
            "schema:version": list(record.tags),
        }
    )


def plan_document(record: WorkflowRecord) -> Document:
    """The JSON-LD of a plan (a workflow)."""
    return _compact(
        {
            "@context": CONTEXT,
            "@id": workflow_iri(record.id).value,
            "@type": ["prov:Plan", "schema:Action"],
            "schema:identifier": record.id,
            "schema:name": record.name,
            "renku:command": record.command,
            "renku:hasInputs": _files(record.inputs),
            "renku:hasOutputs": _files(record.outputs),
            "schema:keywords": list(record.keywords),
            "schema:creator": [_person(p) for p in record.creators],
            "schema:dateCreated": _date(record.date_created),
        }
    )


def activity_document(record: ActivityRecord) -> Document:
    """The JSON-LD of an activity (a run of a plan)."""
    association = _compact(
        {
            "@type": "prov:Association",
            "prov:hadPlan": {"@id": workflow_iri(record.workflow_id).value}
            if record.workflow_id
            else None,
            "prov:agent": _person(record.agent) if record.agent else None,
        }
    )
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "prov:Activity",
            "schema:identifier": record.id,
            "renku:command": record.command,
            "prov:qualifiedAssociation": association,
            "prov:used": _files(record.used),
            "prov:generated": _files(record.generated),
            "prov:startedAtTime": _date(record.started_at),
            "prov:endedAtTime": _date(record.ended_at),
        }
    )


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    if isinstance(value, dict):
        value = value.get("@value", value.get("@id"))
    return str(value) if value is not None else None


def _texts(document: Mapping[str, Any], key: str) -> tuple[str, ...]:
    found = (_text({key: v}, key) for v in _list(document.get(key)))
    return tuple(v for v in found if v is not None)


def _moment(document: Mapping[str, Any], key: str) -> datetime | None:
    value = _text(document, key)
    return datetime.fromisoformat(value) if value else None


def _locations(document: Mapping[str, Any], key: str) -> tuple[str, ...]:
    found = (
        _text(f, "prov:atLocation") if isinstance(f, dict) else str(f)
        for f in _list(document.get(key))
    )
    return tuple(sorted(dict.fromkeys(p for p in found if p)))


def _people(document: Mapping[str, Any], key: str) -> tuple[Person, ...]:
    return tuple(_read_person(p) for p in _list(document.get(key)) if isinstance(p, dict))


def _read_person(document: Mapping[str, Any]) -> Person:
    return Person(
        name=_text(document, "schema:name") or "",
        user_id=_text(document, "schema:identifier"),
        email=_text(document, "schema:email"),
        affiliation=_text(document, "schema:affiliation"),
    )


def _reference(document: Mapping[str, Any], key: str) -> str | None:
    value = _text(document, key)
    return local_id(value) if value else None


def read_dataset(document: Mapping[str, Any]) -> DatasetRecord:
    """A dataset from its JSON-LD."""
    return DatasetRecord(
        id=_text(document, "schema:identifier") or "",
        name=_text(document, "schema:alternateName") or "",
        title=_text(document, "schema:name"),
        description=_text(document, "schema:description"),
        keywords=_texts(document, "schema:keywords"),
        creators=_people(document, "schema:creator"),
        files=_locations(document, "schema:hasPart"),
        date_created=_moment(document, "schema:dateCreated"),
        date_published=_moment(document, "schema:datePublished"),
        date_modified=_moment(document, "schema:dateModified"),
        same_as=_text(document, "schema:sameAs"),
        derived_from=_reference(document, "prov:wasDerivedFrom"),
        tags=_texts(document, "schema:version"),
    )


def read_plan(document: Mapping[str, Any]) -> WorkflowRecord:
    """A plan from its JSON-LD."""
    return WorkflowRecord(
        id=_text(document, "schema:identifier") or "",
        name=_text(document, "schema:name") or "",
        command=_text(document, "renku:command") or "",
        inputs=_locations(document, "renku:hasInputs"),
        outputs=_locations(document, "renku:hasOutputs"),
        keywords=_texts(document, "schema:keywords"),
        creators=_people(document, "schema:creator"),
        date_created=_moment(document, "schema:dateCreated"),
    )


def read_activity(document: Mapping[str, Any]) -> ActivityRecord:
    """An activity from its JSON-LD."""
    association = document.get("prov:qualifiedAssociation")
    association = association if isinstance(association, dict) else {}
    agent = association.get("prov:agent")
    return ActivityRecord(
        id=_text(document, "schema:identifier") or "",
        workflow_id=_reference(association, "prov:hadPlan"),
        command=_text(document, "renku:command") or "",
        used=_locations(document, "prov:used"),
        generated=_locations(document, "prov:generated"),
        started_at=_moment(document, "prov:startedAtTime"),
        ended_at=_moment(document, "prov:endedAtTime"),
        agent=_read_person(agent) if isinstance(agent, dict) else None,
    )


Record = DatasetRecord | WorkflowRecord | ActivityRecord
_READERS: dict[str, Callable[[Mapping[str, Any]], Record]] = {
    "datasets": read_dataset,
    "plans": read_plan,
    "activities": read_activity,
}


def read_metadata(files: Mapping[str, bytes]) -> tuple[ProjectMetadata, list[str]]:
    """The metadata in `.renku/` files (path -> content), and one problem per unreadable file."""
    found: dict[str, list[Any]] = {kind: [] for kind in _READERS}
    problems: list[str] = []
    for path, content in sorted(files.items()):
        kind = path.removeprefix(ROOT).split("/", 1)[0]
        if kind not in _READERS or not path.endswith(".jsonld"):
            continue
        try:
            record = _READERS[kind](json.loads(content))
        except (ValueError, TypeError, AttributeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        if record.id:
            found[kind].append(record)
        else:
            problems.append(f"{path}: no schema:identifier")
    metadata = ProjectMetadata(
        datasets=tuple(found["datasets"]),
        workflows=tuple(found["plans"]),
        activities=tuple(found["activities"]),
    )
    return metadata, problems
