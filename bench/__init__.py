"""`make bench`: webhook load against a bare baseline, understanding cost, corpus accuracy."""
