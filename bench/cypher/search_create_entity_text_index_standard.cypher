// :params {}
// bench/search.py's comparison: the full-text index as cypher/create_entity_text_index.cypher
// makes it, but with Lucene's standard analyzer (lower-cased words, no stemming).
CREATE FULLTEXT INDEX entity_text IF NOT EXISTS
FOR (n:Entity) ON EACH [n.name, n.aliases, n.description]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard'}}
