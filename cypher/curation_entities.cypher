// :params {ids: ['concept:alignment-faking', 'concept:scheming']}
// The state curation checks before a decision: status, merge target, aliases and dismissals.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n {.id, .type, .name, .status, .merged_into, .aliases, .dismissed, .dismissed_edges} AS entity
