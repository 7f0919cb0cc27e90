// :params {}
// Whether a bulk first load may replace the database: it holds no entity and no relationship.
// Other nodes (the stored schema, curation's counter) are few, and carried over by the load.
RETURN NOT EXISTS { MATCH (:Entity) } AND NOT EXISTS { MATCH ()-[]->() } AS empty
