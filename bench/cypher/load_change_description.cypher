// :params {id: 'concept:alignment-faking', description: 'changed through the driver'}
// A change made outside Atlas, as Neo4j Browser or a notebook would make it: the next page read
// through the API must show it.
MATCH (n:Entity {id: $id})
SET n.description = $description
RETURN n.id AS id
