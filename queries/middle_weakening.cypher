// Cypher for queries/middle_weakening.py: the facts about every branch and resident
// group as of $day. The rules (which facts make a flag), the gaps and their ranking
// are evaluated in Python on these facts, the same code as on the embedded store.
// "Current" means since <= $day < until, a missing bound being open.

// name: branch_facts
// Per branch: current members, full members, the secretary (smallest id), the newest
// joining date, the last activity held, the resident groups it covers, embedded or not.
// $communities (null: all): only branches under a committee (by SUB_ORG_OF or alliance,
// at any time) that leads one of them — a superset of those the rules count there.
// params: day, communities
MATCH (b:Branch)
WHERE $communities IS NULL
   OR EXISTS { (b)-[:SUB_ORG_OF|ALLIANCE_MEMBER*0..6]->(:Committee)-[:LEADS]->(c:Community)
               WHERE c.id IN $communities }
CALL (b) {
  OPTIONAL MATCH (p:PartyMember)-[m:MEMBER_OF]->(b)
  WHERE {{current:m}}
  RETURN count(m) AS members,
         count(CASE WHEN p.full_member = true THEN 1 END) AS full_members,
         min(CASE WHEN m.role = 'secretary' THEN p.id END) AS secretary,
         max(CASE WHEN p.joined_party_on <= date($day) THEN p.joined_party_on END) AS newest
}
CALL (b, newest) {
  // how precise the newest joining date is (the least precise, if several share it)
  OPTIONAL MATCH (p:PartyMember)-[m:MEMBER_OF]->(b)
  WHERE {{current:m}}
    AND p.joined_party_on = newest
  RETURN max(p.joined_party_on_precision) AS newest_precision
}
CALL (b) {
  OPTIONAL MATCH (b)-[:HELD]->(a:Activity)
  WHERE a.date <= date($day)
  RETURN max(a.date) AS last_activity
}
CALL (b) {
  OPTIONAL MATCH (b)-[c:COVERS]->(g)
  WHERE {{current:c}}
  RETURN collect(g.id) AS groups
}
RETURN b.id AS id, members, full_members, secretary, newest, last_activity, groups,
       EXISTS { (b)-[:EMBEDDED_IN]->() } AS embedded, newest_precision
ORDER BY id

// name: group_facts
// Per resident group: its community, current leader posts, the branches currently
// covering it and the party members currently living in it. $communities (null: all):
// only groups part of one of them.
// params: day, communities
MATCH (g:ResidentGroup)
WHERE $communities IS NULL
   OR EXISTS { (g)-[:PART_OF]->(c:Community) WHERE c.id IN $communities }
CALL (g) {
  OPTIONAL MATCH (g)-[:PART_OF]->(c:Community)
  RETURN min(c.id) AS community
}
CALL (g) {
  OPTIONAL MATCH (g)<-[h:HOLDS_POST]-()
  WHERE {{current:h}}
  RETURN count(h) AS leaders
}
CALL (g) {
  OPTIONAL MATCH (g)<-[c:COVERS]-(b)
  WHERE {{current:c}}
  RETURN collect(b.id) AS covered
}
CALL (g) {
  OPTIONAL MATCH (g)<-[:PART_OF]-(:Building)<-[l:LIVES_IN]-(p:PartyMember)
  WHERE {{current:l}}
  RETURN count(DISTINCT p) AS party_members_living
}
RETURN g.id AS id, community, leaders, covered, party_members_living
ORDER BY id

// name: group_residents
// Residents currently living in each of these groups' buildings.
// params: ids, day
UNWIND $ids AS gid
MATCH (g:ResidentGroup {id: gid})
OPTIONAL MATCH (g)<-[:PART_OF]-(:Building)<-[l:LIVES_IN]-(:Resident)
WHERE {{current:l}}
RETURN gid AS id, count(l) AS residents
