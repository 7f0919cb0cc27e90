// :params {id: 'concept:alignment-faking', threshold: 0.65, limit: 20, candidates: 200, types: null, nearest: 3, among: null}
// Entities semantically close to one entity (cosine >= $threshold) that are neither the entity
// itself nor joined to it by any typed relationship, in either direction: candidates for new edges
// or unrecognised duplicates. The vector index returns the $candidates nearest entities; its score
// is approximate, so the exact cosine is computed from the stored embeddings (Neo4j's
// vector.similarity.cosine is (1 + cosine) / 2).
// `saturated` is true when even the farthest candidate passed the threshold: more may lie beyond
// $candidates, and the caller widens the search (the API does, until it is not saturated).
// A pair dismissed by curation is skipped whichever side's `dismissed` list names the other.
// `nearest`: when no candidate reaches the threshold, the $nearest closest of them that pass every
// other condition, for the page's hint ("Nearest below it: ... 0.587"); with $nearest = 0 the
// conditions are checked only for the candidates that reach the threshold.
// `among`: the candidates' ids when the API's exact scan found them (graph/vector_scan.py, on large
// graphs, where the index is approximate); null asks the vector index. Either way the same rules.
MATCH (e:Entity {id: $id})
WHERE e.embedding IS NOT NULL
WITH e, e.embedding AS query
CALL {
  WITH e, query
  WITH e, query WHERE $among IS NULL
  CALL db.index.vector.queryNodes('entity_embedding', $candidates, query)
  YIELD node
  RETURN node AS other
  UNION
  WITH e, query
  WITH e, query WHERE $among IS NOT NULL
  UNWIND $among AS among_id
  MATCH (node:Entity {id: among_id})
  WHERE node.embedding IS NOT NULL
  RETURN node AS other
}
// Each candidate's stored vector is read once, for its exact cosine.
WITH e, other, 2 * vector.similarity.cosine(query, other.embedding) - 1 AS cosine
WITH e, collect({other: other, cosine: cosine}) AS hits
WITH e, hits, size(hits) AS fetched,
     reduce(lowest = 1.0, hit IN hits | CASE WHEN hit.cosine < lowest THEN hit.cosine ELSE lowest END) AS lowest
UNWIND hits AS hit
WITH e, fetched, lowest, hit.other AS other, hit.cosine AS cosine
WHERE (cosine >= $threshold OR $nearest > 0)
  AND other <> e
  AND coalesce(other.status, 'active') <> 'merged'
  AND ($types IS NULL OR other.type IN $types)
  AND NOT EXISTS { (e)--(other) }
  AND NOT other.id IN coalesce(e.dismissed, [])
  AND NOT e.id IN coalesce(other.dismissed, [])
WITH fetched, lowest, other, cosine
ORDER BY cosine DESC, other.id
WITH fetched, lowest, collect({
  id: other.id, type: other.type, name: other.name, description: other.description,
  status: other.status, score: cosine
}) AS passing
WITH fetched, lowest, passing, [item IN passing WHERE item.score >= $threshold] AS matches
RETURN size(matches) AS count, matches[..$limit] AS items,
       CASE WHEN size(matches) = 0 THEN passing[..$nearest] ELSE [] END AS nearest,
       fetched = $candidates AND lowest >= $threshold AS saturated
