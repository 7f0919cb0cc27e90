// :params {nodes: [{labels: ['Example'], props: {name: 'example', sizes: [1, 2]}}]}
// Write back the non-entity nodes read by bulk_other_nodes, with the labels and properties they had.
// The labels come from the database itself, never from input.
UNWIND $nodes AS node
CREATE (n)
SET n = node.props
SET n:$(node.labels)
RETURN count(n) AS restored
