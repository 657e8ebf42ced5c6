// Cypher for queries/pairing.py: the facts about every party member as of $day.
// The optimisation (an assignment problem) runs in Python on these facts.

// name: member_facts
// Per party member who had joined by $day: current memberships (organisation, its
// labels, role), the resident groups and grids of the buildings they currently live
// in, whether they hold a current post, whom they currently mentor, and their
// do-not-pair list (one direction, as stored).
// params: day
MATCH (p:PartyMember)
WHERE p.joined_party_on IS NULL OR p.joined_party_on <= date($day)
CALL (p) {
  OPTIONAL MATCH (p)-[m:MEMBER_OF]->(o)
  WHERE {{current:m}}
  RETURN collect(CASE WHEN o IS NULL THEN null
                 ELSE {org: o.id, labels: labels(o), role: coalesce(m.role, 'member')} END)
         AS memberships
}
CALL (p) {
  OPTIONAL MATCH (p)-[l:LIVES_IN]->(b)
  WHERE {{current:l}}
  OPTIONAL MATCH (b)-[:PART_OF]->(g:ResidentGroup)
  OPTIONAL MATCH (b)-[:IN_GRID]->(x:Grid)
  RETURN collect(DISTINCT g.id) AS groups, collect(DISTINCT x.id) AS grids
}
CALL (p) {
  OPTIONAL MATCH (p)-[h:HOLDS_POST]->()
  WHERE {{current:h}}
  RETURN count(h) AS posts
}
CALL (p) {
  OPTIONAL MATCH (p)-[t:MENTORS]->(q)
  WHERE {{current:t}}
  RETURN collect(q.id) AS mentees
}
CALL (p) {
  OPTIONAL MATCH (p)-[:DO_NOT_PAIR]->(q)
  RETURN collect(q.id) AS do_not_pair
}
RETURN p.id AS id, p.joined_party_on AS joined, p.birth_date AS birth, memberships, groups,
       grids, posts, mentees, do_not_pair, p.joined_party_on_precision AS joined_precision
ORDER BY id
