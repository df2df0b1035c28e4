"""nnfit doctor: name why a training setup fails, with evidence and a fix."""
