"""Charts of a result, a comparison and a sweep, on one themed base."""
