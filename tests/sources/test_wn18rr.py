"""WN18RR through `atlas import wn18rr`: every synset an entity, every triple a relation."""

from collections import Counter
from pathlib import Path

import pytest

from ingest.sources.wn18rr import SCHEMA, read_wn18rr
from ingest.validate import validate

PUBLISHED = {"entities": 40_943, "relation_types": 11, "triples": 93_003}


@pytest.fixture(scope="module")
def wn18rr(datasets: Path):
    records, problems = read_wn18rr(datasets / "wn18rr")
    assert problems == []
    valid, invalid = validate(records, lambda ids: set(), SCHEMA)
    assert invalid == []
    return valid


def test_every_synset_and_every_triple_of_the_published_statistics_is_kept(wn18rr) -> None:
    assert len(wn18rr.entities) == PUBLISHED["entities"]
    assert len(wn18rr.relations) == PUBLISHED["triples"]
    assert len({relation.type for relation in wn18rr.relations}) == PUBLISHED["relation_types"]


def test_homographs_stay_distinct_entities_with_distinct_ids(wn18rr) -> None:
    named_run = [entity for entity in wn18rr.entities if entity.name == "run"]
    assert len(named_run) == 33
    assert len({entity.entity_id for entity in named_run}) == 33
    assert all(entity.entity_id.startswith("synset:run-") for entity in named_run)


def test_names_and_definitions_are_split_at_the_first_comma(wn18rr) -> None:
    by_offset = {entity.properties["synset_offset"]: entity for entity in wn18rr.entities}
    # 08769179<TAB>saxony, an area in Germany around the upper Elbe river; the original home ...
    entity = by_offset["08769179"]
    assert (entity.name, entity.entity_id) == ("saxony", "synset:saxony-08769179")
    assert entity.description.startswith("an area in Germany around the upper Elbe river;")


def test_relation_types_are_the_dataset_names_without_underscore(wn18rr) -> None:
    counts = Counter(relation.type for relation in wn18rr.relations)
    assert counts["hypernym"] == 34_796 + 1_174 + 1_251  # train, dev, test
    assert "_hypernym" not in counts


def test_a_triple_naming_an_unknown_synset_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "wn18rr"
    folder.mkdir()
    (folder / "entity2text.txt").write_text("00001740\tentity, that which exists\n")
    (folder / "train.tsv").write_text("00001740\t_hypernym\t99999999\n")
    (folder / "dev.tsv").write_text("")
    (folder / "test.tsv").write_text("")
    records, problems = read_wn18rr(folder)
    _, invalid = validate(records, lambda ids: set(), SCHEMA)
    assert len(problems + invalid) == 1
    message = str((problems + invalid)[0])
    assert "train.tsv" in message and ":1" in message and "synset:99999999" in message


def test_train_and_dev_splits_leave_the_test_triples_out_and_keep_every_synset(datasets: Path) -> None:
    records, problems = read_wn18rr(datasets / "wn18rr", ["dev", "train"])
    assert problems == []
    kinds = Counter(record.data["kind"] for record in records)
    assert kinds == {"entity": PUBLISHED["entities"], "relation": 86_835 + 3_034}
    test_lines = {record.location.line for record in records if record.location.path.name == "test.tsv"}
    assert test_lines == set()


def test_an_unknown_split_is_refused_with_the_known_ones(datasets: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown split.*valid.*known: train, dev, test"):
        read_wn18rr(datasets / "wn18rr", ["train", "valid"])
