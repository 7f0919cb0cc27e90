// :params {}
// Entity ids are unique; the constraint's index also serves every lookup by id.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE
