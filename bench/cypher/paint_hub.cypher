// :params {hub: 'concept:hub', n: 500, types: ['paper', 'thinker', 'concept', 'method', 'claim']}
// A hub joined to $n neighbours of the given types, for drawing the entity page's graph at scale
// (bench/page_paint.py and tests/api/test_entity_graph_in_chromium.py); no embeddings needed.
CREATE (hub:Entity:Concept {id: $hub, type: 'concept', name: 'Hub', description: 'A hub.', status: 'active'})
WITH hub
UNWIND range(0, $n - 1) AS i
WITH hub, i, $types[i % size($types)] AS type
CREATE (n:Entity {id: type + ':hub-neighbour-' + i, type: type, name: 'Neighbour ' + i,
                  description: 'Neighbour number ' + i + ' of the hub.', status: 'active'})
CREATE (hub)-[:ASSOCIATED_WITH {description: 'edge ' + i}]->(n)
