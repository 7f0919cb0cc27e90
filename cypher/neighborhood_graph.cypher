// :params {id: 'concept:alignment-faking'}
// The entity, its typed relationships and its neighbours as paths, for Neo4j Browser's graph view
// (the API and notebooks use neighborhood.cypher). browser/atlas.grass colours it by entity type.
MATCH path = (e:Entity {id: $id})-[]-(:Entity)
RETURN path
