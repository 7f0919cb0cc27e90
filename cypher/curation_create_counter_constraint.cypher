// :params {}
// One decision counter (curation_next_seq.cypher): the constraint makes its MERGE safe when two
// first decisions race to create it.
CREATE CONSTRAINT curation_counter_id IF NOT EXISTS FOR (c:CurationCounter) REQUIRE c.id IS UNIQUE
