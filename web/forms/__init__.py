"""Form classes, one module per journey; shared fields and validators in `fields`, the
base class (domain errors onto fields, the error summary) in `base`."""
