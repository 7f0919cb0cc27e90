// :params {rows: [{id: 'concept:example', label: 'Concept', props: {type: 'concept', name: 'Example', description: '', status: 'draft', aliases: [], url: null, properties_json: '{}', content_hash: 'x'}}]}
// Create or update entities by id. `label` is the PascalCase type label, taken from the validated
// schema. An entity merged into another by curation stays merged: re-ingesting it changes nothing.
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
WITH n, row
WHERE coalesce(n.status, '') <> 'merged'
SET n:$(row.label)
SET n += row.props
RETURN count(n) AS written
