"""Epoch AI's models CSV (Notable, Frontier or Large-scale AI models) as models and releases."""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from modelatlas.domain import Accessibility, Dataset, Model, Release, Source
from modelatlas.ingest.epoch import EpochFormatError, _past_date, model_slug
from modelatlas.ingest.tabular import (
    Collector,
    ImportBatch,
    Organizations,
    clean,
    error_text,
    first_url,
    read_csv,
    source_for,
    split_cell,
)

MODELS_SOURCE: Final = Source(
    url="https://epoch.ai/data/ai-models",
    title="Epoch AI, 'Data on AI Models'",
    publisher="Epoch AI",
)
"""The dataset-level citation Epoch AI asks for (CC BY 4.0), cited by every Release."""

_FLOAT_NOISE: Final = 1e-12  # relative error of a float that should have been a whole number

_ACCESSIBILITY: Final[dict[str, Accessibility]] = {
    "open weights (unrestricted)": Accessibility.OPEN_WEIGHTS,
    "open weights (restricted use)": Accessibility.OPEN_WEIGHTS_RESTRICTED,
    "open weights (non-commercial)": Accessibility.OPEN_WEIGHTS_RESTRICTED,
    "api access": Accessibility.API,
    "hosted access (no api)": Accessibility.HOSTED,
    "unreleased": Accessibility.UNRELEASED,
}


@dataclass(slots=True)
class _PendingModel:
    """A model row read but not yet checked against the other rows of the file."""

    row: str
    fields: dict[str, Any]
    model: Model
    """The model as validated without its bases (what it is when it has none)."""
    bases: list[str]
    release: dict[str, Any] | None
    link: Source | None


def _parameters(text: str, report: Collector, where: str) -> int | None:
    """Parameter counts written as floats ("405000000000.0", "2.84e11") read as whole numbers."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        report.skip("parameters: not a number", f"{where}: {text!r}")
        return None
    if not math.isfinite(number) or number < 0 or number >= 2**63:
        report.skip("parameters: out of range", f"{where}: {text!r}")
        return None
    if number.is_integer():
        return int(number)
    whole = round(number)
    if abs(number - whole) <= _FLOAT_NOISE * number:  # "256999999.99999997" is 2.57e8
        report.skip("parameters: float noise rounded to a whole number", f"{where}: {text!r}")
        return whole
    report.skip("parameters: not a whole number", f"{where}: {text!r}")
    return None


def _compute(text: str, report: Collector, where: str) -> float | None:
    """A training-compute FLOP figure, such as "3.8e+25"."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        report.skip("training compute: not a number", f"{where}: {text!r}")
        return None
    if not math.isfinite(number) or number < 0:
        report.skip("training compute: out of range", f"{where}: {text!r}")
        return None
    return number


def _accessibility(text: str, report: Collector, where: str) -> Accessibility | None:
    """Epoch's "Model accessibility" wording as an Accessibility."""
    if not text:
        return None
    value = _ACCESSIBILITY.get(text.casefold())
    if value is None:
        report.skip("model accessibility: unknown value", f"{where}: {text!r}")
    return value


def parse_epoch_models(path: Path) -> ImportBatch:
    """Read Epoch's Notable, Frontier or Large-scale AI models CSV into an ImportBatch."""
    header, rows = read_csv(path)
    if "Model" not in header:
        raise EpochFormatError(f"{path}: no 'Model' column; not an Epoch AI models file")
    report = Collector(str(path))
    organizations = Organizations(report)
    sources: dict[str, Source] = {MODELS_SOURCE.url: MODELS_SOURCE}
    pending: list[_PendingModel] = []
    names: dict[str, str] = {}  # slug -> name, to find duplicates and base models

    for number, row in enumerate(rows, start=1):
        name = clean(row.get("Model"))
        where = f"row {number}" + (f" ({name})" if name else "")
        if not name:
            report.skip("row without a model name", where)
            continue
        try:
            slug = model_slug(name)
        except ValueError:
            report.skip("model name without letters or digits", where)
            continue
        if slug in names:
            report.skip("model listed twice", f"{where}: same slug as {names[slug]!r}")
            continue
        developers = organizations.add_row(
            row.get("Organization", ""),
            row.get("Country (of organization)", ""),
            row.get("Organization categorization", ""),
            where,
        )
        released = _past_date(clean(row.get("Publication date")), "publication date", report, where)
        fields: dict[str, Any] = {
            "slug": slug,
            "name": name,
            "developers": developers,
            "parameters": _parameters(clean(row.get("Parameters")), report, where),
            "training_compute_flop": _compute(
                clean(row.get("Training compute (FLOP)")), report, where
            ),
            "modalities": split_cell(row.get("Domain")),
            "accessibility": _accessibility(clean(row.get("Model accessibility")), report, where),
            "released_on": released,
        }
        try:
            model = Model.model_validate(fields)
        except ValidationError as exc:
            report.skip("invalid model", f"{where}: {error_text(exc)}")
            continue
        names[slug] = name

        release: dict[str, Any] | None = None
        link: Source | None = None
        if not developers:
            report.skip("no release: no organization", where)
        elif released is None:
            report.skip("no release: no valid publication date", where)
        else:
            reference = clean(row.get("Reference"))
            link_text = row.get("Link", "")
            link = source_for(first_url(link_text), reference)
            if link is None:
                reason = "link: not a URL" if link_text.strip() else "link: empty"
                report.skip(reason + " (the release cites only the Epoch page)", where)
            release = {
                "slug": f"epoch-{slug}",
                "title": reference or name,
                "date": released,
                "announced_by": developers,
                "introduced": [slug],
                "sources": [link.url, MODELS_SOURCE.url] if link else [MODELS_SOURCE.url],
            }
        pending.append(
            _PendingModel(where, fields, model, split_cell(row.get("Base model")), release, link)
        )

    models: list[Model] = []
    releases: list[Release] = []
    unresolved: list[tuple[str, str]] = []
    for item in pending:
        slug = item.fields["slug"]
        derived: list[str] = []
        for base in item.bases:
            try:
                base_slug = model_slug(base)
            except ValueError:
                report.skip("base model: no letters or digits", f"{item.row}: {base!r}")
                continue
            if base_slug == slug:
                report.skip("base model: the model itself", f"{item.row}: {base!r}")
            elif base_slug in names:
                derived.append(base_slug)
            else:
                report.skip("base model: not in this file (left to resolve_models)", item.row)
                unresolved.append((slug, base))
        if derived:
            models.append(Model.model_validate({**item.fields, "derived_from": derived}))
        else:
            models.append(item.model)
        if item.release is not None:
            try:
                releases.append(Release.model_validate(item.release))
            except ValidationError as exc:
                report.skip("no release: invalid", f"{item.row}: {error_text(exc)}")
            else:
                if item.link is not None:
                    sources.setdefault(item.link.url, item.link)

    dataset = Dataset(
        sources=list(sources.values()),
        organizations=organizations.records(),
        models=models,
        releases=releases,
    )
    return ImportBatch(
        dataset=dataset,
        report=report.report(rows_read=len(rows), rows_used=len(models)),
        unresolved_bases=tuple(unresolved),
    )
