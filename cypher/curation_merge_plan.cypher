// :params {duplicate: 'concept:scheming', canonical: 'concept:alignment-faking'}
// What a merge of $duplicate into $canonical must handle: every relation of the duplicate (with
// its properties) and, for each, the relations of the same type already joining the canonical to
// the same neighbour (either direction); and the entities earlier merged into the duplicate.
// Both entities' `dismissed` lists, so that the duplicate's dismissals carry over.
MATCH (dup:Entity {id: $duplicate})
MATCH (can:Entity {id: $canonical})
RETURN dup {.id, .type, .name, .status, .merged_into, .aliases, .dismissed} AS duplicate,
       can {.id, .type, .name, .status, .merged_into, .aliases, .dismissed} AS canonical,
       COUNT { (dup)--() } AS degree,
       COLLECT {
         MATCH (dup)-[r]-(other)
         WITH r, other
         ORDER BY type(r), other.id, startNode(r).id
         RETURN {
           source: startNode(r).id, target: endNode(r).id, rel_type: type(r), other: other.id,
           props: properties(r),
           existing: COLLECT {
             MATCH (can)-[x]-(other)
             WHERE type(x) = type(r) AND other <> can
             WITH x ORDER BY startNode(x).id
             RETURN {source: startNode(x).id, target: endNode(x).id, props: properties(x)}
           }
         }
       } AS relations,
       COLLECT {
         MATCH (x:Entity {merged_into: $duplicate})
         RETURN x.id ORDER BY x.id
       } AS merged_into_duplicate
