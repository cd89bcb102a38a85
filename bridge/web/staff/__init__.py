"""Staff API blueprints, one module per resource."""
