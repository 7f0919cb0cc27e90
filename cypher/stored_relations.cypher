// :params {sources: [['thinker:evan-hubinger', 1]]}
// The relations stored from each given source, to tell which of an ingest's relations are already
// there unchanged (they are then not sent to upsert_relations at all). A source is [id, how many of
// the ingest's relations start at it]; one whose stored relations outnumber those several times over
// (a hub given a few new relations) is skipped, so the read costs at most a few times the rows it
// checks, and its relations take the upsert. Entities merged by curation are left out on either end:
// upsert_relations' redirection decides for relations that name them.
UNWIND $sources AS given
MATCH (s:Entity {id: given[0]})
WHERE s.merged_into IS NULL AND COUNT { (s)-->() } <= 4 * given[1] + 100
MATCH (s)-[r]->(t:Entity)
WHERE t.merged_into IS NULL
RETURN s.id AS source,
       collect([type(r), t.id, coalesce(r.description, ''), coalesce(r.source_ref, '')]) AS stored
