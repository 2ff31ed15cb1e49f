"""The one exception type for survey input that cannot be read."""

from __future__ import annotations


class SurveyFileError(ValueError):
    """A survey file that cannot be read.

    The message names the file, the line (or row, or XML element) and the field where there is
    one, e.g. ``well.csv, line 12, field 'inc': cannot read '1O.5' as a number``.

    Parameters
    ----------
    file : str
        File name used in messages [-].
    reason : str
        What is wrong, in plain words [-].
    line : int or None
        1-based line (text) or row (spreadsheet) number [-].
    field : str or None
        Column, header key or XML element name [-].
    element : str or None
        XML element (or record) description, e.g. ``trajectoryStation 5`` [-].
    """

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
        element: str | None = None,
    ) -> None:
        self.file = file
        self.reason = reason
        self.line = line
        self.field = field
        self.element = element
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.element is not None:
            parts.append(f"element {self.element}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts) + f": {self.reason}"

    def __reduce__(self):  # keep pickling (multiprocessing) working with keyword arguments
        return (
            _rebuild,
            (self.file, self.reason, self.line, self.field, self.element),
        )


def _rebuild(
    file: str, reason: str, line: int | None, field: str | None, element: str | None
) -> SurveyFileError:
    return SurveyFileError(file, reason, line=line, field=field, element=element)
