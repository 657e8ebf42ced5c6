// Cypher for queries/search.py: the names the pinyin index is built from.

// name: names
// Every node's id, name and labels.
MATCH (n:GovNode)
RETURN n.id AS id, n.name AS name, labels(n) AS labels
