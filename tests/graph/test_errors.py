"""One exception hierarchy: every public exception class derives from ModelAtlasError, each keeps
the stdlib base callers catch, a missing thing is one NotFound whatever found it missing, and
api/errors.py codes each family."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from graphql import GraphQLError

import modelatlas
from modelatlas import errors
from modelatlas.api.errors import classify, error_code, error_extensions
from modelatlas.db.local import LocalNeo4jError
from modelatlas.graph import DeadlineExceeded, Graph
from modelatlas.graph.bookmarks import InvalidBookmarkError
from modelatlas.graph.core import Deadline
from modelatlas.graph.deletes import WouldOrphanError
from modelatlas.graph.migrations import MigrationError
from modelatlas.graph.reads.errors import InvalidArgument
from modelatlas.graph.writes import TargetsMissing
from modelatlas.ingest.drafts import DraftError
from modelatlas.ingest.epoch import EpochFormatError
from modelatlas.ingest.errors import SeedValidationError
from modelatlas.knowledge import KnowledgeGraph, UnknownReferencesError
from modelatlas.web.entities import BadRequest

anyio = pytest.mark.anyio


def _exception_classes() -> list[type[BaseException]]:
    """Every exception class a module of the package defines under a public name."""
    found: list[type[BaseException]] = []
    for module_info in pkgutil.walk_packages(modelatlas.__path__, "modelatlas."):
        if module_info.name.endswith(".__main__"):
            continue  # runs the command line
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.append(value)
    return found


def test_every_public_exception_class_derives_from_the_common_base() -> None:
    classes = _exception_classes()
    assert len(classes) >= 25  # the walk did find the package's modules
    outside = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, errors.ModelAtlasError)
    ]
    assert outside == []


@pytest.mark.parametrize(
    ("cls", "family", "stdlib"),
    [
        (InvalidArgument, errors.InvalidInput, ValueError),
        (InvalidBookmarkError, errors.InvalidInput, ValueError),
        (WouldOrphanError, errors.InvalidInput, ValueError),
        (UnknownReferencesError, errors.InvalidInput, ValueError),
        (SeedValidationError, errors.InvalidInput, ValueError),
        (EpochFormatError, errors.InvalidInput, ValueError),
        (DraftError, errors.InvalidInput, ValueError),
        (BadRequest, errors.InvalidInput, ValueError),
        (errors.NotFound, errors.NotFound, LookupError),
        (DeadlineExceeded, errors.Timeout, Exception),
        (TargetsMissing, errors.Conflict, Exception),
        (LocalNeo4jError, errors.Unavailable, RuntimeError),
        (MigrationError, errors.ModelAtlasError, RuntimeError),
    ],
)
def test_each_class_is_in_its_family_and_keeps_its_stdlib_base(
    cls: type[BaseException], family: type[BaseException], stdlib: type[BaseException]
) -> None:
    assert issubclass(cls, family)
    assert issubclass(cls, stdlib)  # `except ValueError` around a call still catches it


@anyio
async def test_a_missing_thing_is_the_same_not_found_from_a_read_and_from_a_delete(
    graph: Graph,
) -> None:
    kg = KnowledgeGraph(graph)
    with pytest.raises(errors.NotFound) as read:
        await kg.leaderboard("no-such-benchmark")
    with pytest.raises(errors.NotFound) as deleted:
        await kg.delete("Model", "no-such-model")
    assert type(read.value) is type(deleted.value) is errors.NotFound
    assert isinstance(read.value, LookupError)
    assert (deleted.value.kind, deleted.value.key) == ("Model", "no-such-model")
    assert str(deleted.value) == "no Model 'no-such-model' exists"


def _coded(original: Exception) -> GraphQLError:
    return classify(GraphQLError(str(original), path=["field"], original_error=original))


def test_api_errors_map_each_family_to_its_code() -> None:
    assert error_code(InvalidBookmarkError("bad token")) == "BAD_USER_INPUT"
    assert error_code(errors.NotFound("gone")) == "NOT_FOUND"
    assert error_code(DeadlineExceeded(Deadline.after(2.0))) == "TIMEOUT"
    assert error_code(LocalNeo4jError("start it")) == "SERVICE_UNAVAILABLE"
    assert error_code(TargetsMissing(())) is None  # not the client's to read
    assert error_code(MigrationError("edited")) is None
    assert error_code(ValueError("not ours")) is None
    assert error_extensions(InvalidArgument("m", argument="within_days")) == {
        "code": "BAD_USER_INPUT",
        "argument": "withinDays",
    }

    bad = _coded(BadRequest("The key is empty."))
    assert (bad.message, bad.extensions) == ("The key is empty.", {"code": "BAD_USER_INPUT"})
    missing = _coded(errors.NotFound("No model is called 'x'.", argument="model"))
    assert missing.extensions == {"code": "NOT_FOUND", "argument": "model"}
    late = _coded(DeadlineExceeded(Deadline.after(2.0)))
    assert late.extensions is not None and late.extensions["code"] == "TIMEOUT"
    down = _coded(LocalNeo4jError("secret path /x"))
    assert down.extensions == {"code": "SERVICE_UNAVAILABLE"}
    assert "secret" not in down.message
    masked = _coded(TargetsMissing(()))
    assert masked.extensions is not None
    assert masked.extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert masked.message == "Internal server error"
