// :params {fitted_at: '2026-12-02T12:00:00Z', rows: [{entity: 'concept:alignment-faking', other: 'concept:scheming', relation_type: 'associated_with', direction: 'out', score: 0.91, rank: 1}]}
// Stores the best suggestions of each entity, as the fit saw the graph: one node each, apart from
// the entities (no edge to them, so no degree, neighbourhood or snapshot of entities changes).
UNWIND $rows AS row
CREATE (:Suggestion {entity: row.entity, other: row.other, relation_type: row.relation_type,
                     direction: row.direction, score: row.score, rank: row.rank, fitted_at: $fitted_at})
