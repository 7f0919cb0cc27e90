// :params {}
// Decisions are numbered in the order they were taken; two concurrent decisions cannot share a number.
CREATE CONSTRAINT decision_seq IF NOT EXISTS FOR (d:Decision) REQUIRE d.seq IS UNIQUE
