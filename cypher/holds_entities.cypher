// :params {}
// Whether the database holds any entity at all: an ingest into one that holds none has nothing to
// compare its records with, and skips reading them back one id at a time.
RETURN EXISTS { MATCH (:Entity) } AS holds
