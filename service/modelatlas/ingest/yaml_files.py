"""Load curated seed YAML into one validated Dataset, reporting every problem with its line.

Each file is a mapping whose keys are record kinds (``sources``, ``organizations``,
``models``, ``releases``, ``benchmarks``, ``claims``, ``results``, ``marketEvents``,
``countries``), each holding a list of records. Files are composed into YAML nodes first,
so every problem can name the file and line it comes from; nothing is returned unless
every record of every file is valid, unique and refers only to records in the same seed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from modelatlas.domain import RECORD_TYPES, Dataset, Record, slugify
from modelatlas.ingest.errors import Problem, SeedValidationError

__all__ = ["expand_paths", "load_yaml_files"]

_TOP_LEVEL_KEYS = ", ".join(RECORD_TYPES)
# libyaml's loader keeps line marks too and composes large files about four times faster.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class _Located:
    """Where a record was defined, to point reference and duplicate problems at it."""

    file: str
    label: str
    node: yaml.MappingNode

    @property
    def line(self) -> int:
        """The 1-based line the record starts on."""
        return self.node.start_mark.line + 1


class _Loader:
    """One load: gathers records, their locations and the problems found along the way."""

    def __init__(self) -> None:
        """Start with nothing collected."""
        self.problems: list[Problem] = []
        self.records: dict[str, list[Record]] = {name: [] for name in RECORD_TYPES}
        self.located: dict[tuple[str, str], _Located] = {}
        self.invalid_keys: dict[str, set[str]] = {cls.KIND: set() for cls in RECORD_TYPES.values()}
        self.first_seen: dict[tuple[str, str], str] = {}

    def problem(
        self, file: str, node: yaml.Node | None, record: str, field: str, message: str
    ) -> None:
        """Note one problem at a node's line (or at no line when there is no node)."""
        line = None if node is None else node.start_mark.line + 1
        self.problems.append(Problem(file, line, record, field, message))

    def load_file(self, path: Path) -> None:
        """Validate every record in one file, noting problems instead of stopping."""
        file = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(file, None, "", "", f"cannot read file: {exc}"))
            return
        try:
            root = yaml.compose(text, Loader=_SAFE_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = None if mark is None else mark.line + 1
            message = " ".join(part for part in (exc.context, exc.problem) if part)
            self.problems.append(Problem(file, line, "", "", f"invalid YAML: {message}"))
            return
        except yaml.YAMLError as exc:
            self.problems.append(Problem(file, None, "", "", f"invalid YAML: {exc}"))
            return
        if root is None or _is_null(root):
            return
        if not isinstance(root, yaml.MappingNode):
            self.problem(
                file, root, "", "", f"expected a mapping with keys among {_TOP_LEVEL_KEYS}"
            )
            return
        self.check_duplicate_keys(file, root, "", recursive=False)
        for key_node, value_node in root.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name not in RECORD_TYPES:
                self.problem(
                    file,
                    key_node,
                    str(name),
                    "",
                    f"unknown top-level key; expected one of {_TOP_LEVEL_KEYS}",
                )
                continue
            if _is_null(value_node):
                continue
            if not isinstance(value_node, yaml.SequenceNode):
                self.problem(file, value_node, name, "", "expected a list of records")
                continue
            for index, item in enumerate(value_node.value):
                self.load_record(file, name, index, item)

    def load_record(self, file: str, name: str, index: int, node: yaml.Node) -> None:
        """Validate one record, or note why it is invalid."""
        cls = RECORD_TYPES[name]
        label = f"{name}[{index}]"
        if not isinstance(node, yaml.MappingNode):
            self.problem(file, node, label, "", f"expected a mapping describing one {cls.KIND}")
            return
        try:
            raw = _construct(node)
        except yaml.YAMLError as exc:
            self.problem(file, node, label, "", f"cannot read record: {exc}")
            return
        key = _raw_key(cls, raw)
        if key is not None:
            label = f"{label} ({key})"
        self.check_duplicate_keys(file, node, label)
        record: Record | None = None
        try:
            record = cls.model_validate(raw)
        except ValidationError as exc:
            if key is not None:
                self.invalid_keys[cls.KIND].add(key)
            for error in exc.errors(include_url=False):
                self.validation_problem(file, node, label, cls, error)
        if record is not None:
            key = record.key
            label = f"{name}[{index}] ({key})"
        if key is None:
            return
        first = self.first_seen.get((cls.KIND, key))
        if first is not None:
            key_field = _external(cls, cls.KEY_FIELD)
            self.problem(
                file,
                _find(node, [key_field]) or node,
                label,
                key_field,
                f"duplicate {cls.KIND} {key!r}; first defined at {first}",
            )
            return
        self.first_seen[(cls.KIND, key)] = f"{file}:{node.start_mark.line + 1}"
        if record is not None:
            self.located[(cls.KIND, key)] = _Located(file, label, node)
            self.records[name].append(record)

    def validation_problem(
        self,
        file: str,
        node: yaml.MappingNode,
        label: str,
        cls: type[Record],
        error: Any,
    ) -> None:
        """Turn one pydantic error into a Problem at the line of the offending value."""
        loc = [str(part) for part in error["loc"]]
        if loc:
            loc[0] = _external(cls, loc[0])
        message = str(error["msg"])
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(_external(cls, field) for field in cls.model_fields)
            message = f"unknown field; expected one of {allowed}"
        elif error["type"] == "missing":
            message = "required field is missing"
        target = _find(node, loc) or node
        self.problem(file, target, label, ".".join(loc), message)

    def check_duplicate_keys(
        self, file: str, node: yaml.Node, label: str, *, recursive: bool = True
    ) -> None:
        """Report mapping keys given twice, which YAML would silently collapse to the last."""
        mappings = _mappings(node) if recursive else [node]
        for mapping in mappings:
            if not isinstance(mapping, yaml.MappingNode):
                continue
            seen: set[str] = set()
            for key_node, _ in mapping.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.value in seen:
                    self.problem(
                        file, key_node, label, key_node.value, "key given twice in one mapping"
                    )
                seen.add(key_node.value)

    def check_references(self, dataset: Dataset) -> None:
        """Report references that nothing in the seed defines (the seed must stand alone)."""
        for ref in dataset.check_references():
            if ref.missing in self.invalid_keys[ref.target]:
                continue  # the target exists but is invalid, which is already reported
            where = self.located[(ref.kind, ref.record)]
            field_node = _find(where.node, [ref.field])
            target = _find_scalar(field_node, ref.missing) or field_node or where.node
            self.problem(
                where.file,
                target,
                where.label,
                ref.field,
                f"no {ref.target} {ref.missing!r} is defined in the seed",
            )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to load: each directory becomes its ``*.yaml`` files sorted by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml"), key=lambda found: found.name))
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def load_yaml_files(paths: Sequence[Path]) -> Dataset:
    """Read and validate seed files into one Dataset, or raise SeedValidationError listing all."""
    loader = _Loader()
    for path in expand_paths(paths):
        if not path.exists():
            loader.problems.append(Problem(str(path), None, "", "", "no such file or directory"))
            continue
        loader.load_file(path)
    try:
        dataset = Dataset.model_validate(loader.records)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            loader.problems.append(Problem("<seed>", None, where, "", str(error["msg"])))
        raise SeedValidationError(loader.problems) from exc
    loader.check_references(dataset)
    if loader.problems:
        raise SeedValidationError(loader.problems)
    return dataset


def _construct(node: yaml.Node) -> Any:
    """Build the Python value of one composed node with PyYAML's safe constructor."""
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(node)
    finally:
        constructor.dispose()


def _is_null(node: yaml.Node) -> bool:
    """Whether a node is an explicit or empty YAML null (an empty section)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _mappings(node: yaml.Node) -> list[yaml.MappingNode]:
    """Every mapping node at or under a node, for checks that YAML itself skips."""
    found: list[yaml.MappingNode] = []
    stack: list[yaml.Node] = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue  # anchors can make the node graph share children
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            found.append(current)
            stack.extend(value for _, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


def _external(cls: type[Record], name: str) -> str:
    """The camelCase name of a field as written in YAML (unchanged if it is not a field)."""
    field = cls.model_fields.get(name)
    return field.alias if field is not None and field.alias else name


def _find(node: yaml.Node | None, loc: Sequence[str]) -> yaml.Node | None:
    """Follow an error location through the composed nodes; the deepest node found wins."""
    found = None
    current = node
    for part in loc:
        nxt: yaml.Node | None = None
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and part in (
                    key_node.value,
                    _camel(key_node.value),
                ):
                    nxt = value_node
        elif isinstance(current, yaml.SequenceNode) and part.isdigit():
            index = int(part)
            if index < len(current.value):
                nxt = current.value[index]
        if nxt is None:
            break
        found = current = nxt
    return found


def _find_scalar(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The scalar (or list item) that spells a given natural key, to point at its line."""
    candidates: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        candidates = list(node.value)
    elif node is not None:
        candidates = [node]
    for candidate in candidates:
        if isinstance(candidate, yaml.ScalarNode) and key in (candidate.value, _slug_or(candidate)):
            return candidate
    return None


def _slug_or(node: yaml.ScalarNode) -> str:
    """A scalar's slug form, or its text when it has none."""
    try:
        return slugify(node.value)
    except ValueError:
        return str(node.value)


def _camel(name: str) -> str:
    """snake_case to camelCase, so snake_case keys in YAML are found too."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _raw_key(cls: type[Record], raw: Any) -> str | None:
    """Best guess at an unvalidated record's natural key, to label its problems."""
    if not isinstance(raw, dict):
        return None
    value = raw.get(cls.KEY_FIELD)
    if value is None and cls.KEY_FIELD == "slug":
        value = raw.get("name")
    if not isinstance(value, str):
        return None
    if cls.KEY_FIELD in ("slug", "id"):
        try:
            return slugify(value)
        except ValueError:
            return None
    if cls.KEY_FIELD == "code":
        return value.strip().upper()
    return value.strip()
