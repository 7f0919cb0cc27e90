// :params {}
// Curation decisions are :Decision nodes (never relationships: an entity's degree counts only typed
// relations). Their ids are unique; the constraint's index serves lookups by id.
CREATE CONSTRAINT decision_id IF NOT EXISTS FOR (d:Decision) REQUIRE d.id IS UNIQUE
