// :params {rel_type: 'STUDIES', skip: 0, limit: 50}
// One page of the edges of one relationship type, in the order of their source's name then their
// target's, with the exact number of edges of that type. $rel_type is a type the graph holds (the
// caller checks it against /stats), passed as a parameter, never written into the query.
MATCH (s:Entity)-[r:$($rel_type)]->(t:Entity)
WITH s, r, t
ORDER BY toLower(s.name), s.id, toLower(t.name), t.id
WITH collect({source: s, relation: r, target: t}) AS ranked
RETURN size(ranked) AS count, COLLECT {
  UNWIND ranked[$skip..$skip + $limit] AS edge
  WITH edge.source AS s, edge.relation AS r, edge.target AS t
  RETURN {
    source: s {.id, .type, .name, .description, .status},
    target: t {.id, .type, .name, .description, .status},
    description: r.description,
    source_ref: r.source_ref
  }
} AS items
