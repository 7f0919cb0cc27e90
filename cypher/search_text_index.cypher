// :params {}
// The full-text index's settings, to tell whether it was built with the analyzer search expects.
SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties, options
WHERE name = 'entity_text'
RETURN options.indexConfig['fulltext.analyzer'] AS analyzer, labelsOrTypes AS labels, properties
