// :params {id: 'concept:alignment-faking'}
// The ids of every entity joined to one entity by any relationship.
MATCH (:Entity {id: $id})--(n:Entity)
RETURN collect(DISTINCT n.id) AS ids
