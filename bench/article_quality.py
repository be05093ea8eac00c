"""Article extraction quality: precision and recall per kind over the hand-labelled articles
of tests/ingest/articles, matched against the curated seed's names (no database needed), or
with --graph against the names of the configured Neo4j (e.g. the default graph after
`modelatlas load`: Epoch AI's organizations and models too, as in production).

Exits 1 when claims fall below the issue's target (precision 0.9, recall 0.8).

    python bench/article_quality.py [--misses] [--graph] [FOLDER]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from modelatlas.ingest import load_yaml_files
from modelatlas.ingest.article_names import Gazetteer
from modelatlas.ingest.article_quality import load_articles, score, table
from modelatlas.ingest.drafts import load_gazetteer
from modelatlas.knowledge import KnowledgeGraph
from modelatlas.resources import resource_dir

ARTICLES = Path(__file__).resolve().parents[1] / "tests" / "ingest" / "articles"
CLAIMS_PRECISION = 0.9
CLAIMS_RECALL = 0.8


async def _graph_names() -> Gazetteer:
    """The gazetteer of the configured (or running local) Neo4j."""
    async with KnowledgeGraph.connect() as kg:
        return await load_gazetteer(kg)


def main() -> int:
    """Print the table; non-zero when the claims target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ARTICLES)
    parser.add_argument("--misses", action="store_true", help="List missed and extra facts.")
    parser.add_argument(
        "--graph", action="store_true", help="Match the configured Neo4j's names, not the seed's."
    )
    args = parser.parse_args()
    articles = load_articles(args.folder)
    if args.graph:
        known = asyncio.run(_graph_names())
    else:
        known = Gazetteer.from_dataset(load_yaml_files([resource_dir("seed")]))
    scores = score(articles, known)
    names = f"{len(known.organizations)} organizations, {len(known.models)} models"
    print(
        f"{len(articles)} articles in {args.folder}; names: {'graph' if args.graph else 'seed'}"
        f" ({names})"
    )
    print(table(scores))
    if args.misses:
        for kind, result in scores.items():
            for miss in result.misses:
                print(f"  {kind}: {miss}")
    claims = scores["claims"]
    if claims.precision < CLAIMS_PRECISION or claims.recall < CLAIMS_RECALL:
        print(
            f"claims below target: precision {claims.precision:.2f} (>= {CLAIMS_PRECISION}), "
            f"recall {claims.recall:.2f} (>= {CLAIMS_RECALL})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
