// :params {}
// Full-text index for search over names, aliases and descriptions.
CREATE FULLTEXT INDEX entity_text IF NOT EXISTS
FOR (n:Entity) ON EACH [n.name, n.aliases, n.description]
