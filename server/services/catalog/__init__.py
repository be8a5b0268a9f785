"""The script catalog: headers, parameters, discovery, metadata, docs, tags, environments."""
