// :param {id: 'concept:alignment-faking', limit: 25, types: null, type_order: ['paper', 'thinker', 'framework', 'method', 'concept', 'artifact', 'quote', 'claim', 'question']}
// The neighbours of one entity, grouped by their type in $type_order (the schema's display order),
// with the exact number of distinct neighbours per group, ranked inside a group by the neighbour's
// degree (descending) then name, and at most $limit neighbours listed per group.
// Each neighbour carries every typed relation joining it to the entity; direction is 'out' when the
// entity is the relation's source. $types (a list of entity types, or null) restricts the groups.
MATCH (e:Entity {id: $id})-[r]-(n:Entity)
WHERE $types IS NULL OR n.type IN $types
WITH e, n, collect({
  type: toLower(type(r)),
  direction: CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END,
  description: r.description,
  source_ref: r.source_ref
}) AS relations
WITH n, relations, COUNT { (n)--() } AS degree
ORDER BY degree DESC, n.name, n.id
WITH n.type AS type, count(n) AS count, collect({
  id: n.id, type: n.type, name: n.name, description: n.description, status: n.status,
  degree: degree, relations: relations
}) AS ranked
WITH type, count, ranked[..$limit] AS neighbours,
     [i IN range(0, size($type_order) - 1) WHERE $type_order[i] = type][0] AS position
ORDER BY position, type
RETURN type, count, neighbours
