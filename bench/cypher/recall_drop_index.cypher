// :params {}
// The recall bench rebuilds the index once per configuration it measures.
DROP INDEX entity_embedding IF EXISTS
