// :params {id: 'concept:alignment-faking', limit: 25, types: null, type_order: ['paper', 'thinker', 'framework', 'method', 'concept', 'artifact', 'quote', 'claim', 'question', 'organization', 'model']}
// The neighbors of one entity, grouped by their type in $type_order (the schema's display order),
// with the exact number of distinct neighbors per group, ranked inside a group by the neighbour's
// degree (descending) then name, and at most $limit neighbors listed per group.
// Each neighbor carries every typed relation joining it to the entity; direction is 'out' when the
// entity is the relation's source. $types (a list of entity types, or null) restricts the groups.
// Only the neighbors that are listed get their relations and properties read: on a hub with 100k
// relationships, ranking touches each neighbor's degree and name once and nothing else.
MATCH (e:Entity {id: $id})-[r]-(n:Entity)
WHERE $types IS NULL OR n.type IN $types
WITH e, n, collect(r) AS relationships
WITH e, n, relationships, COUNT { (n)--() } AS degree
ORDER BY degree DESC, n.name, n.id
WITH e, n.type AS type, count(n) AS count,
     collect({neighbor: n, relationships: relationships, degree: degree})[..$limit] AS top
UNWIND top AS hit
WITH e, type, count, hit.neighbor AS n, hit.relationships AS relationships, hit.degree AS degree
WITH type, count, collect(n {
  .id, .type, .name, .description, .status,
  degree: degree,
  relations: [rel IN relationships | {
    type: toLower(type(rel)),
    direction: CASE WHEN startNode(rel) = e THEN 'out' ELSE 'in' END,
    description: rel.description,
    source_ref: rel.source_ref
  }]
}) AS neighbors
WITH type, count, neighbors,
     [i IN range(0, size($type_order) - 1) WHERE $type_order[i] = type][0] AS position
ORDER BY position, type
RETURN type, count, neighbors
