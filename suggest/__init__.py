"""Link prediction for Atlas: which typed edge is missing, in which direction, and how sure.

A standalone domain package (numpy and torch only; no database, no web or CLI code): arrays of
integer triples in, scores over entities out. See `suggest.model.Suggester`.
"""

from suggest.evaluation import AnswerIndex, evaluate, filtered_ranks, ranking_metrics
from suggest.kge import KGEConfig
from suggest.model import FEATURES, Suggester, SuggesterConfig, Suggestion
from suggest.rules import Rule, RuleConfig, mine_rules

__all__ = [
    "FEATURES",
    "AnswerIndex",
    "KGEConfig",
    "Rule",
    "RuleConfig",
    "Suggester",
    "SuggesterConfig",
    "Suggestion",
    "evaluate",
    "filtered_ranks",
    "mine_rules",
    "ranking_metrics",
]
