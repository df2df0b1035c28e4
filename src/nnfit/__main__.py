from nnfit.cli import entry

entry()
