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
  WHERE (m.since IS NULL OR m.since <= date($day)) AND (m.until IS NULL OR m.until > date($day))
  RETURN collect(CASE WHEN o IS NULL THEN null
                 ELSE {org: o.id, labels: labels(o), role: coalesce(m.role, 'member')} END)
         AS memberships
}
CALL (p) {
  OPTIONAL MATCH (p)-[l:LIVES_IN]->(b)
  WHERE (l.since IS NULL OR l.since <= date($day)) AND (l.until IS NULL OR l.until > date($day))
  OPTIONAL MATCH (b)-[:PART_OF]->(g:ResidentGroup)
  OPTIONAL MATCH (b)-[:IN_GRID]->(x:Grid)
  RETURN collect(DISTINCT g.id) AS groups, collect(DISTINCT x.id) AS grids
}
CALL (p) {
  OPTIONAL MATCH (p)-[h:HOLDS_POST]->()
  WHERE (h.since IS NULL OR h.since <= date($day)) AND (h.until IS NULL OR h.until > date($day))
  RETURN count(h) AS posts
}
CALL (p) {
  OPTIONAL MATCH (p)-[t:MENTORS]->(q)
  WHERE (t.since IS NULL OR t.since <= date($day)) AND (t.until IS NULL OR t.until > date($day))
  RETURN collect(q.id) AS mentees
}
CALL (p) {
  OPTIONAL MATCH (p)-[:DO_NOT_PAIR]->(q)
  RETURN collect(q.id) AS do_not_pair
}
RETURN p.id AS id, p.joined_party_on AS joined, p.birth_date AS birth, memberships, groups,
       grids, posts, mentees, do_not_pair, p.joined_party_on_precision AS joined_precision
ORDER BY id
