// :params {ids: ['paper:alignment-faking-in-large-language-models', 'not-an-entity']}
// The names of those of these ids that are entities: the entity page links an edge's source_ref
// to the entity it names, when it names one.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
RETURN n.id AS id, n.name AS name
