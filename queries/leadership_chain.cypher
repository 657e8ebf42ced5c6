// Cypher for queries/leadership_chain.py. The walk itself (which link to follow,
// which break to report) is Python, run over the part of the graph these queries
// fetch in one round trip: everything reachable upwards from the start node, and
// the leaders of what was reached.

// name: start_node
// The start node, even when it has no relationships.
// params: id
MATCH (s:GovNode {id: $id})
RETURN s.id AS id, labels(s) AS labels, properties(s) AS props

// name: upward_context
// Nodes reachable upwards (relationship types in $up followed forwards, in $down
// backwards) and, for each, its upward relationships, its leaders (secretaries,
// responsible workers, building heads, post holders) and an EVALUATES of the start.
// params: id, up, down
MATCH (s:GovNode {id: $id})
OPTIONAL MATCH (s) ((a)-[r]-(b)
    WHERE (type(r) IN $up AND startNode(r) = a) OR (type(r) IN $down AND endNode(r) = a)
  ){1,12} (x)
WITH s, collect(DISTINCT x) AS xs
UNWIND [s] + xs AS n
WITH DISTINCT n
CALL (n) {
  MATCH (n)-[r]->(m) WHERE type(r) IN $up
  RETURN r, m
  UNION
  MATCH (n)<-[r]-(m) WHERE type(r) IN $down
  RETURN r, m
  UNION
  MATCH (n)<-[r:MEMBER_OF|RESPONSIBLE_FOR|HEADS|HOLDS_POST]-(m)
  WHERE type(r) <> 'MEMBER_OF' OR r.role = 'secretary'
  RETURN r, m
  UNION
  MATCH (n)-[r:EVALUATES]->(m:GovNode {id: $id})
  RETURN r, m
}
RETURN n.id AS nid, labels(n) AS nlabels, properties(n) AS nprops,
       type(r) AS type, startNode(r).id AS start, endNode(r).id AS end,
       properties(r) AS rprops,
       m.id AS mid, labels(m) AS mlabels, properties(m) AS mprops
