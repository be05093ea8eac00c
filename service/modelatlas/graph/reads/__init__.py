"""Every read of the graph: lookups, keyset pages, relationship batches and the headline questions.

Each statement is assembled once from fixed fragments (labels, relationship patterns, sort
expressions and filter predicates come from the tables in kinds.py, never from user text) and
cached; user values only ever travel as parameters. Neo4j shapes every result with map
projections, so Python only turns rows into the frozen dataclasses of nodes.py.

Pagination is keyset-based: a cursor holds the ordering's name, the row's sort value and its
natural key, so a page that follows a cursor starts after that row whatever was inserted
before it. Relationship reads take many parent keys at once (``UNWIND $keys``), which is what
keeps a GraphQL request's round trips bounded by its depth rather than by its row count.

The modules, by concept: errors (InvalidArgument; a missing entity is modelatlas.errors'
NotFound), nodes (the views and their builders), filters (the *Where types), orders (the *Order
types), kinds (the label and relationship tables), paging (pages, cursors, PageRequest),
prefetch (what a statement reads along with each node), listing (lookups, pages, relationship
batches, citations), refs (how a question finds the entity a caller names), and one module per
question: claimed_to_beat, release_events, lineage, path, timelines, leaderboards, counts and
name_search. This package re-exports their public names (``__all__``): that is the read layer's
interface to everything outside graph/ (the facade in knowledge.py, the API, the explorer), which
imports from here, never from a module; modules of the read layer import from the concept's
module.
"""

from modelatlas.graph.reads.claimed_to_beat import (
    BeatClaim,
    models_claimed_to_beat,
)
from modelatlas.graph.reads.counts import (
    Bucket,
    CountBy,
    model_counts,
)
from modelatlas.graph.reads.errors import (
    InvalidArgument,
    NotFound,
)
from modelatlas.graph.reads.filters import (
    BenchmarkWhere,
    ClaimWhere,
    CountryWhere,
    MarketEventWhere,
    ModelWhere,
    OrganizationWhere,
    ReleaseWhere,
    ResultWhere,
    SourceWhere,
    WhereField,
    where_fields,
)
from modelatlas.graph.reads.kinds import (
    CITED_KINDS,
    KINDS,
    RELATIONS,
    normalise_key,
)
from modelatlas.graph.reads.leaderboards import (
    LeaderboardEntry,
    leaderboard,
)
from modelatlas.graph.reads.lineage import (
    LineageDirection,
    LineageEntry,
    read_lineage,
)
from modelatlas.graph.reads.listing import (
    read_citations,
    read_nodes,
    read_page,
    read_related,
    read_related_pages,
)
from modelatlas.graph.reads.name_search import (
    MAX_SEARCH_TEXT,
    SEARCH_WINDOW,
    SearchHit,
    SearchKind,
    lucene_query,
    search,
    search_words,
)
from modelatlas.graph.reads.nodes import (
    AnyNode,
    BenchmarkNode,
    Citation,
    ClaimNode,
    CountryNode,
    MarketEventNode,
    ModelNode,
    OrganizationNode,
    ReleaseNode,
    ResultNode,
    SourceNode,
)
from modelatlas.graph.reads.orders import (
    BenchmarkOrder,
    ClaimOrder,
    CountryOrder,
    MarketEventOrder,
    ModelOrder,
    OrganizationOrder,
    ReleaseOrder,
    ResultOrder,
    SourceOrder,
)
from modelatlas.graph.reads.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Edge,
    Page,
    PageInfo,
    PageRequest,
    check_first,
    decode_cursor,
    encode_cursor,
)
from modelatlas.graph.reads.path import (
    MAX_PATH_HOPS,
    Direction,
    GraphPath,
    PathNode,
    PathStep,
    RelationshipType,
    shortest_path,
)
from modelatlas.graph.reads.prefetch import (
    MAX_PREFETCH_BRANCHES,
    MAX_PREFETCH_DEPTH,
    Along,
    LineageAlong,
    PageAlong,
    Prefetch,
    Prefetched,
    along_parameters,
    lineage_along,
    page_along,
)
from modelatlas.graph.reads.release_events import (
    MAX_WITHIN_DAYS,
    EventAfterRelease,
    events_after_release,
)
from modelatlas.graph.reads.timelines import (
    TimelineEntry,
    TimelineKind,
    timeline,
)

__all__ = [
    "CITED_KINDS",
    "DEFAULT_PAGE_SIZE",
    "KINDS",
    "MAX_PAGE_SIZE",
    "MAX_PATH_HOPS",
    "MAX_PREFETCH_BRANCHES",
    "MAX_PREFETCH_DEPTH",
    "MAX_SEARCH_TEXT",
    "MAX_WITHIN_DAYS",
    "RELATIONS",
    "SEARCH_WINDOW",
    "Along",
    "AnyNode",
    "BeatClaim",
    "BenchmarkNode",
    "BenchmarkOrder",
    "BenchmarkWhere",
    "Bucket",
    "Citation",
    "ClaimNode",
    "ClaimOrder",
    "ClaimWhere",
    "CountBy",
    "CountryNode",
    "CountryOrder",
    "CountryWhere",
    "Direction",
    "Edge",
    "EventAfterRelease",
    "GraphPath",
    "InvalidArgument",
    "LeaderboardEntry",
    "LineageAlong",
    "LineageDirection",
    "LineageEntry",
    "MarketEventNode",
    "MarketEventOrder",
    "MarketEventWhere",
    "ModelNode",
    "ModelOrder",
    "ModelWhere",
    "NotFound",
    "OrganizationNode",
    "OrganizationOrder",
    "OrganizationWhere",
    "Page",
    "PageAlong",
    "PageInfo",
    "PageRequest",
    "PathNode",
    "PathStep",
    "Prefetch",
    "Prefetched",
    "RelationshipType",
    "ReleaseNode",
    "ReleaseOrder",
    "ReleaseWhere",
    "ResultNode",
    "ResultOrder",
    "ResultWhere",
    "SearchHit",
    "SearchKind",
    "SourceNode",
    "SourceOrder",
    "SourceWhere",
    "TimelineEntry",
    "TimelineKind",
    "WhereField",
    "along_parameters",
    "check_first",
    "decode_cursor",
    "encode_cursor",
    "events_after_release",
    "leaderboard",
    "lineage_along",
    "lucene_query",
    "model_counts",
    "models_claimed_to_beat",
    "normalise_key",
    "page_along",
    "read_citations",
    "read_lineage",
    "read_nodes",
    "read_page",
    "read_related",
    "read_related_pages",
    "search",
    "search_words",
    "shortest_path",
    "timeline",
    "where_fields",
]
