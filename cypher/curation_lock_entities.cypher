// :params {ids: ['concept:alignment-faking', 'concept:scheming']}
// Takes the write locks of the entities a decision touches, held until its transaction ends:
// decisions on the same entities then run one after another, and each plans on what the one
// before it wrote. Ids come sorted, so two decisions never wait on each other in a cycle. Writes
// nothing: the property set to take the lock is removed again at once.
UNWIND $ids AS id
MATCH (n:Entity {id: id})
SET n.curation_lock = true
REMOVE n.curation_lock
RETURN count(n) AS locked
