// :params {id: 'concept:alignment-faking', candidates: ['concept:scheming', 'paper:sleeper-agents']}
// What decides which suggestions for one entity still stand, read fresh at each request: the
// entity (merged? dismissed with whom?) and each candidate's name, type and status (merged ones are
// never suggested) with the edges joining it to the entity now (a suggestion already linked is not
// one any more). Only the edges to the candidates are read, not every edge of a hub.
MATCH (e:Entity {id: $id})
RETURN e {.id, .type, .name, .aliases, .status, .merged_into, .dismissed, .dismissed_edges} AS entity,
       COLLECT {
         UNWIND $candidates AS candidate
         MATCH (c:Entity {id: candidate})
         RETURN c {.id, .name, .aliases, .type, .description, .status,
                   edges: COLLECT {
                     MATCH (e)-[r]-(c)
                     RETURN {type: toLower(type(r)), direction: CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END}
                   }}
       } AS candidates
