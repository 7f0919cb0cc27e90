// :params {}
// Entities, relations and relation types: to check that every loader wrote the same graph.
RETURN COUNT { MATCH (:Entity) } AS entities,
       COUNT { MATCH (:Entity)-[]->(:Entity) } AS relations,
       size(COLLECT { MATCH ()-[r]->() RETURN DISTINCT type(r) }) AS relation_types
