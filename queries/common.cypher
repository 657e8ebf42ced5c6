// Cypher shared by several queries (queries/common.py).

// name: org_nodes
// Party organisations and communities (for walks up the party hierarchy).
MATCH (n:GovNode) WHERE n:PartyOrg OR n:Community
RETURN n.id AS id, labels(n) AS labels, {} AS props

// name: org_hierarchy
// Current links between party organisations, and committees leading communities.
// params: day
MATCH (o:PartyOrg)-[r:SUB_ORG_OF|ALLIANCE_MEMBER]->(p:PartyOrg)
WHERE {{current:r}}
RETURN o.id AS start, p.id AS end, type(r) AS type, properties(r) AS props
UNION ALL
MATCH (c:Committee)-[r:LEADS]->(m:Community)
RETURN c.id AS start, m.id AS end, type(r) AS type, properties(r) AS props
