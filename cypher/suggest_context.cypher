// :params {id: 'concept:alignment-faking', candidates: ['concept:scheming', 'paper:sleeper-agents']}
// What decides which suggestions for one entity still stand, read fresh at each request: the
// entity (merged? dismissed with whom?), the edges it has now (a suggestion already linked is not
// one any more), and the candidates' names, types and statuses (merged ones are never suggested).
MATCH (e:Entity {id: $id})
RETURN e {.id, .type, .name, .aliases, .status, .merged_into, .dismissed, .dismissed_edges} AS entity,
       COLLECT {
         MATCH (e)-[r]-(other:Entity)
         RETURN {type: toLower(type(r)), direction: CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END,
                 other: other.id}
       } AS edges,
       COLLECT {
         UNWIND $candidates AS candidate
         MATCH (c:Entity {id: candidate})
         RETURN c {.id, .name, .aliases, .type, .description, .status}
       } AS candidates
