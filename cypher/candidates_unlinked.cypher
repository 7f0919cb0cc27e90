// :params {pairs: [['concept:alignment-faking', 'concept:scheming']]}
// Of the given entity pairs, those still candidates: joined by no typed relationship in either
// direction, and not dismissed by curation (a dismissal is recorded on both entities).
UNWIND $pairs AS pair
MATCH (a:Entity {id: pair[0]})
MATCH (b:Entity {id: pair[1]})
WHERE NOT EXISTS { (a)--(b) }
  AND NOT b.id IN coalesce(a.dismissed, [])
  AND NOT a.id IN coalesce(b.dismissed, [])
RETURN a.id AS a, b.id AS b
