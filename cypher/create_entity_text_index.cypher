// :params {}
// Full-text index for search over names, aliases and descriptions. The English analyzer stems
// (`deceptive` and `deception` meet at `decept`) and drops stop words. graph/search.py's
// TEXT_ANALYZER names the same analyzer: ingest recreates an index built with another one.
CREATE FULLTEXT INDEX entity_text IF NOT EXISTS
FOR (n:Entity) ON EACH [n.name, n.aliases, n.description]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}
