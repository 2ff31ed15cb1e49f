"""The version of surveylab, in one place: the package metadata reads it from here
(``pyproject.toml``, ``[tool.setuptools.dynamic]``) and so does the code that prints it."""

__version__ = "0.1.0"
