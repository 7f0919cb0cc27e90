"""Search on the seed graph: word forms, names first, meaning, fused ranking."""

from __future__ import annotations

import pytest

from graph.search import RRF_K, TEXT_WEIGHT, Searcher, SearchMode, lucene_query

WORD_MODES = [SearchMode.text, SearchMode.hybrid]


def ids(searcher: Searcher, query: str, mode: SearchMode, limit: int = 10) -> list[str]:
    return [hit.entity.id for hit in searcher.search(query, mode, limit=limit).items]


@pytest.mark.parametrize("mode", WORD_MODES)
@pytest.mark.parametrize("word", ["deceptive", "deceptions", "Deception's"])
def test_a_word_form_finds_the_entity_named_by_another_form(searcher: Searcher, mode, word) -> None:
    assert "concept:strategic-deception" in ids(searcher, word, mode)


def test_stemming_joins_word_forms_in_the_index_too(searcher: Searcher) -> None:
    # "aligned" and "Alignment" stem to "align", "fakes" and "Faking" to "fake": neither query word
    # is in the seed graph as written.
    found = ids(searcher, "aligned fakes", SearchMode.text, limit=3)
    assert "concept:alignment-faking" in found


def test_a_form_the_stemmer_does_not_join_is_found_by_meaning(searcher: Searcher) -> None:
    # Porter stems "deceiving" to "deceiv" but "deception" to "decept": only meaning joins them.
    assert "concept:strategic-deception" not in ids(searcher, "deceiving", SearchMode.text)
    assert "concept:strategic-deception" in ids(searcher, "deceiving", SearchMode.hybrid)


@pytest.mark.parametrize("mode", WORD_MODES)
@pytest.mark.parametrize("query", ["alignment faking", "Alignment Faking", "  ALIGNMENT   faking "])
def test_the_entity_named_exactly_ranks_first_above_claims_that_mention_it(
    searcher: Searcher, mode, query
) -> None:
    results = searcher.search(query, mode)
    assert results.items[0].entity.id == "concept:alignment-faking"
    assert results.items[0].match == "exact"
    assert len(results.items) > 5  # the claims and papers that mention it are there, below it


def test_an_alias_counts_as_a_name(searcher: Searcher) -> None:
    first = searcher.search("rlhf", SearchMode.text).items[0]
    assert first.entity.name == "Reinforcement Learning from Human Feedback"
    assert first.match == "exact"


@pytest.mark.parametrize("mode", WORD_MODES)
def test_names_starting_with_the_query_come_before_other_matches(searcher: Searcher, mode) -> None:
    hits = searcher.search("align", mode, limit=30).items
    matches = [hit.match for hit in hits]
    prefixed = [hit for hit in hits if hit.match == "prefix"]
    assert "concept:alignment-faking" in [hit.entity.id for hit in prefixed]
    assert all(hit.entity.name.lower().startswith("align") for hit in prefixed)
    assert matches == sorted(matches, key=["exact", "prefix", "text", "meaning"].index)


def test_meaning_finds_a_paraphrase_of_the_description(searcher: Searcher) -> None:
    # "A model copying its own weights outside its developer's control", in other words: by words,
    # three entities sharing "learned" or "parameters" rank above it.
    query = "smuggling learned parameters to an outside server"
    assert ids(searcher, query, SearchMode.meaning)[0] == "concept:weight-exfiltration"
    assert ids(searcher, query, SearchMode.text).index("concept:weight-exfiltration") > 2
    assert "concept:weight-exfiltration" in ids(searcher, query, SearchMode.hybrid, limit=5)


def test_hybrid_fuses_both_rankings(searcher: Searcher) -> None:
    hits = searcher.search("deception", SearchMode.hybrid, limit=50).items
    found_by_both = [hit for hit in hits if hit.text_rank and hit.meaning_rank]
    assert found_by_both
    for hit in found_by_both:
        expected = TEXT_WEIGHT / (RRF_K + hit.text_rank) + 1 / (RRF_K + hit.meaning_rank)
        assert hit.score == pytest.approx(expected, abs=1e-6)


def test_meaning_mode_ranks_by_cosine_and_reports_the_model(searcher: Searcher) -> None:
    results = searcher.search("sycophancy", SearchMode.meaning)
    scores = [hit.score for hit in results.items]
    assert scores == sorted(scores, reverse=True)
    assert results.model is not None and results.model.name == "all-MiniLM-L6-v2"
    assert all(hit.text_rank is None for hit in results.items)


def test_text_mode_never_loads_the_model(seeded_once, queries) -> None:
    def refuse() -> None:
        raise AssertionError("text search loaded the model")

    from graph.search import QueryEmbedder

    text_only = Searcher(seeded_once, queries, QueryEmbedder(refuse))  # type: ignore[arg-type]
    results = text_only.search("deception", SearchMode.text)
    assert results.items and results.model is None and not text_only.embedder.loaded


@pytest.mark.parametrize("query", ['"unbalanced', "C++ (draft) AND", "name:x", "*", "-"])
def test_lucene_syntax_in_the_query_is_plain_text(searcher: Searcher, query) -> None:
    searcher.search(query, SearchMode.text)  # no Lucene parse error reaches the caller


def test_blank_query_finds_nothing_without_asking_the_database(searcher: Searcher) -> None:
    assert searcher.search("   ", SearchMode.hybrid).items == []


def test_lucene_query_escapes_and_prefixes_only_plain_last_words() -> None:
    assert lucene_query(["a+b"]) is not None and "a\\+b" in lucene_query(["a+b"])  # type: ignore[operator]
    assert "align*" in (lucene_query(["align"]) or "")
    assert "*" not in (lucene_query(["c++"]) or "").replace("\\", "")
