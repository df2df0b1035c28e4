import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before any test imports keras
os.environ.setdefault("MPLBACKEND", "Agg")
