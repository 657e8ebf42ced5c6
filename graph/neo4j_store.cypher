// The Neo4j store's own queries (graph/neo4j_store.py). Every node carries the
// label GovNode besides its schema labels, so one constraint keeps ids unique
// across the whole graph. Slots {{...}} take names from the schema only.

// name: create_id_constraint
// Ids are unique across the graph.
CREATE CONSTRAINT govnode_id IF NOT EXISTS FOR (n:GovNode) REQUIRE n.id IS UNIQUE

// name: create_name_index
// Search and look-ups by name, per label.
CREATE INDEX name_{{label}} IF NOT EXISTS FOR (n:{{label}}) ON (n.name)

// name: create_rel_id_index
// Relationships are upserted by id, per type.
CREATE INDEX relid_{{types}} IF NOT EXISTS FOR ()-[r:{{types}}]-() ON (r.id)

// name: create_id_number_index
// One person, one node: the write path finds a person by ID number.
CREATE INDEX person_id_number IF NOT EXISTS FOR (n:Person) ON (n.id_number)

// name: people_by_id_number
// The people holding these ID numbers.
// params: numbers
UNWIND $numbers AS number
MATCH (n:Person {id_number: number})
RETURN number, n.id AS id

// name: rels_by_id
// Relationships of one type by id, with their ends and properties.
// params: ids
UNWIND $ids AS rid
MATCH (x)-[r:{{types}} {id: rid}]->(y)
RETURN rid AS id, x.id AS start, y.id AS end, properties(r) AS props

// name: rels_between
// Relationships of one type from each start to each end (pairs of ids).
// params: pairs
UNWIND $pairs AS pair
MATCH (x:GovNode {id: pair[0]})-[r:{{types}}]->(y:GovNode {id: pair[1]})
RETURN x.id AS start, y.id AS end, r.id AS id, properties(r) AS props

// name: nodes_named
// Nodes of a label by exact name.
// params: names
MATCH (n:{{labels}}) WHERE n.name IN $names
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.id

// name: delete_nodes
// Nodes with every relationship they have.
// params: ids
UNWIND $ids AS id
MATCH (n:GovNode {id: id})
DETACH DELETE n

// name: create_meta_constraint
// Store meta (scenario records ...) by key.
CREATE CONSTRAINT govmeta_key IF NOT EXISTS FOR (m:GovMeta) REQUIRE m.key IS UNIQUE

// name: lookup_labels
// Labels of the stored nodes among these ids.
// params: ids
MATCH (n:GovNode) WHERE n.id IN $ids
RETURN n.id AS id, labels(n) AS labels

// name: upsert_nodes
// Nodes of one label set: properties replaced whole, labels set exactly.
// params: rows
UNWIND $rows AS row
MERGE (n:GovNode {id: row.id})
SET n = row.props
SET n:{{labels}}
REMOVE n:{{other_labels}}

// name: upsert_rels
// Relationships of one type, by id (found through the relid_ index, so a hub node's
// many relationships are never scanned): updated in place, re-created when moved to
// other ends, created when new.
// params: rows
UNWIND $rows AS row
MATCH (a:GovNode {id: row.start})
MATCH (b:GovNode {id: row.end})
OPTIONAL MATCH ()-[old:{{types}} {id: row.id}]->()
CALL (a, b, row, old) {
  WITH * WHERE old IS NOT NULL AND startNode(old) = a AND endNode(old) = b
  SET old = row.props
}
CALL (a, b, row, old) {
  WITH * WHERE old IS NOT NULL AND (startNode(old) <> a OR endNode(old) <> b)
  DELETE old
}
CALL (a, b, row, old) {
  WITH * WHERE old IS NULL OR startNode(old) <> a OR endNode(old) <> b
  CREATE (a)-[r:{{types}}]->(b)
  SET r = row.props
}

// name: existing_rels
// Which of these relationship ids of one type exist, and between which nodes.
// params: ids
UNWIND $ids AS rid
MATCH (x)-[r:{{types}} {id: rid}]->(y)
RETURN rid AS id, x.id AS start, y.id AS end

// name: create_rels
// New relationships of one type (their ids checked absent in the same transaction).
// params: rows
UNWIND $rows AS row
MATCH (a:GovNode {id: row.start})
MATCH (b:GovNode {id: row.end})
CREATE (a)-[r:{{types}}]->(b)
SET r = row.props

// name: get_nodes
// Nodes by id.
// params: ids
MATCH (n:GovNode) WHERE n.id IN $ids
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props

// name: adjacent
// Relationships touching a node, filtered by type, direction and the other end's labels.
// params: id, outgoing, incoming, types, labels, with_props
MATCH (n:GovNode {id: $id})
CALL (n) {
  MATCH (n)-[r]->(m)
  WHERE $outgoing AND ($types IS NULL OR type(r) IN $types)
  RETURN 'out' AS dir, r, m
  UNION ALL
  MATCH (n)<-[r]-(m)
  WHERE $incoming AND ($types IS NULL OR type(r) IN $types)
  RETURN 'in' AS dir, r, m
}
WITH dir, r, m
WHERE $labels IS NULL OR any(l IN labels(m) WHERE l IN $labels)
RETURN dir, type(r) AS type, properties(r) AS rprops, m.id AS other, labels(m) AS labels,
       CASE WHEN $with_props THEN properties(m) ELSE null END AS mprops

// name: nodes_by_label
// Every node with a label, by id.
MATCH (n:{{labels}})
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY n.id

// name: rels_by_type
// Relationships of one type by id, a page at a time (ids after $after).
// params: after, limit
MATCH (a)-[r:{{types}}]->(b)
WHERE r.id > $after
RETURN r.id AS id, a.id AS start, b.id AS end, properties(r) AS props
ORDER BY r.id
LIMIT $limit

// name: count_nodes
// All graph nodes.
MATCH (n:GovNode) RETURN count(n) AS n

// name: count_label_part
// One column of the counts query (counts() joins one per label and type into a single
// RETURN: one statement, each answered from the count store).
COUNT { MATCH (:{{labels}}) }

// name: count_type_part
COUNT { MATCH ()-[:{{types}}]->() }

// name: has_label_part
// One alternative of count_any's WHERE (joined with OR).
n:{{labels}}

// name: put_meta
// params: key, value
MERGE (m:GovMeta {key: $key}) SET m.value = $value

// name: meta_default
// params: key, value
// The stored value, or $value stored now when there was none (one transaction: the
// uniqueness constraint on the key makes a concurrent MERGE wait, then match).
MERGE (m:GovMeta {key: $key}) ON CREATE SET m.value = $value RETURN m.value AS value

// name: get_meta
// params: key
MATCH (m:GovMeta {key: $key}) RETURN m.value AS value

// name: ping
RETURN 1 AS ok

// name: clear_some
// Delete up to 5,000 nodes with their relationships; repeat until it returns 0.
MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n

// name: clear_some_rels
// Delete up to 20,000 relationships; repeat until it returns 0 (first: a hub node's
// hundreds of thousands of relationships in one DETACH DELETE pass the server's
// transaction memory).
MATCH ()-[r]->() WITH r LIMIT 20000 DELETE r RETURN count(*) AS n

// name: adjacent_many
// Relationships touching each of many nodes (as adjacent, without properties of the ends).
// params: ids, outgoing, incoming, types, labels
UNWIND $ids AS id
MATCH (n:GovNode {id: id})
CALL (n) {
  MATCH (n)-[r]->(m)
  WHERE $outgoing AND ($types IS NULL OR type(r) IN $types)
  RETURN 'out' AS dir, r, m
  UNION ALL
  MATCH (n)<-[r]-(m)
  WHERE $incoming AND ($types IS NULL OR type(r) IN $types)
  RETURN 'in' AS dir, r, m
}
WITH n, dir, r, m
WHERE $labels IS NULL OR any(l IN labels(m) WHERE l IN $labels)
RETURN n.id AS id, dir, type(r) AS type, properties(r) AS rprops, m.id AS other,
       labels(m) AS labels

// name: count_current
// Per node, its relationships of one type and direction holding on a day (since <= day
// < until, dates stored as DATE), to an end with one of the labels if given.
// params: ids, type, outgoing, labels, day
UNWIND $ids AS id
MATCH (n:GovNode {id: id})
OPTIONAL MATCH (n)-[r]-(m)
WHERE type(r) = $type
  AND (CASE WHEN $outgoing THEN startNode(r) = n ELSE endNode(r) = n END)
  AND {{current:r}}
  AND ($labels IS NULL OR any(l IN labels(m) WHERE l IN $labels))
RETURN n.id AS id, count(r) AS n

// name: existing_ids
// Which of these ids exist.
// params: ids
MATCH (n:GovNode) WHERE n.id IN $ids RETURN n.id AS id

// name: create_search_index
// The full-text index search reads (queries/search.py, graph/names.py): each node's
// name as search compares it, its short names and its pinyin and initials (each written
// "q" + key, so no key is an English stop word), with Lucene's CJK analyzer (bigrams of
// Chinese characters), updated in the writing transaction.
CREATE FULLTEXT INDEX govnode_search IF NOT EXISTS FOR (n:GovNode)
ON EACH [n.search_name, n.search_short, n.search_spell]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk', `fulltext.eventually_consistent`: false}}

// name: search_nodes
// The nodes a full-text query finds, with their search keys.
// params: query
CALL db.index.fulltext.queryNodes('govnode_search', $query) YIELD node
RETURN node.id AS id, labels(node) AS labels, node.search_name AS name,
       node.search_short AS short, node.search_spell AS spell

// name: unsearchable_nodes
// Nodes written without search keys (a bulk import by neo4j-admin), a batch at a time.
// params: limit
MATCH (n:GovNode) WHERE n.search_name IS NULL
RETURN n.id AS id, labels(n) AS labels, n.name AS name, n.short_name AS short_name
LIMIT $limit

// name: set_search_keys
// Search keys for nodes that lack them.
// params: rows
UNWIND $rows AS row
MATCH (n:GovNode {id: row.id})
SET n.search_name = row.name, n.search_short = row.short, n.search_spell = row.spell
