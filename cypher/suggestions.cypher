// :params {id: 'concept:alignment-faking', limit: 10}
// The stored suggestions of one entity (written by `atlas suggest fit`), for Browser and notebooks:
// what still stands now — no edge of that type and direction exists, the other entity is not
// merged, not dismissed with this one, and the edge was not declined. The API computes the same
// live from the model (GET /entities/{id}/suggestions); this file reads what the last fit kept.
MATCH (e:Entity {id: $id})
WHERE coalesce(e.status, 'active') <> 'merged'
MATCH (s:Suggestion {entity: $id})
MATCH (other:Entity {id: s.other})
WHERE coalesce(other.status, 'active') <> 'merged'
  AND NOT other.id IN coalesce(e.dismissed, [])
  AND NOT s.relation_type + CASE s.direction WHEN 'out' THEN '>' ELSE '<' END + other.id
      IN coalesce(e.dismissed_edges, [])
  AND NOT EXISTS {
    MATCH (e)-[r]-(other)
    WHERE toLower(type(r)) = s.relation_type
      AND (startNode(r) = e) = (s.direction = 'out')
  }
RETURN other.id AS id, other.name AS name, other.type AS type, s.relation_type AS relation_type,
       s.direction AS direction, s.score AS score, s.fitted_at AS fitted_at
ORDER BY s.rank
LIMIT $limit
