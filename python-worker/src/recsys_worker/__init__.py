"""Training, offline evaluation and model-bundle export for the recommendation platform."""

__version__ = "0.1.0"
