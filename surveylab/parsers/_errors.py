"""The one exception type for survey input that cannot be read, and the problems it lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Most problems one refusal lists; beyond them it only counts (:attr:`SurveyFileError.more`).
MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a file cannot be read, where it is.

    Parameters
    ----------
    reason : str
        What is wrong, in plain words [-].
    line : int or None
        1-based line (text) or row (spreadsheet) number [-].
    field : str or None
        Column, header key or XML element name [-].
    element : str or None
        XML element (or record) description [-].
    """

    reason: str
    line: int | None = None
    field: str | None = None
    element: str | None = None

    def __str__(self) -> str:
        return _where(self.line, self.element, self.field) + self.reason


def _where(line: int | None, element: str | None, field: str | None) -> str:
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if element is not None:
        parts.append(f"element {element}")
    if field is not None:
        parts.append(f"field '{field}'")
    return ", ".join(parts) + ": " if parts else ""


class SurveyFileError(ValueError):
    """A survey file that cannot be read.

    The message names the file, the line (or row, or XML element) and the field where there is
    one, e.g. ``well.csv, line 12, field 'inc': cannot read '1O.5' as a number``. A reader that
    finds several problems in the file it refuses lists them all in :attr:`problems` (at most
    :data:`MAX_PROBLEMS`; :attr:`more` counts the others); the message is the first one's,
    followed by ``and N more problems``.

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
        #: every problem found, in file order, the first one being this error's own [-]
        self.problems: list[Problem] = [Problem(reason, line, field, element)]
        #: problems found beyond those listed [-]
        self.more = 0
        super().__init__(self._message())

    @classmethod
    def of_problems(cls, file: str, problems: Sequence[Problem], more: int = 0) -> SurveyFileError:
        """One refusal for several problems (``problems`` non-empty; the first leads).

        Parameters
        ----------
        file : str
            File name used in messages [-].
        problems : sequence of Problem
            The problems, in file order; those past :data:`MAX_PROBLEMS` are counted only [-].
        more : int
            Problems found and not given in ``problems`` [-].
        """
        if not problems:
            raise ValueError("a refusal needs at least one problem")
        first = problems[0]
        err = cls(file, first.reason, line=first.line, field=first.field, element=first.element)
        err.problems = list(problems[:MAX_PROBLEMS])
        err.more = more + max(0, len(problems) - MAX_PROBLEMS)
        err.args = (err._message(),)
        return err

    @property
    def problem_count(self) -> int:
        """How many problems were found in all (listed and counted) [-]."""
        return len(self.problems) + self.more

    def _message(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.element is not None:
            parts.append(f"element {self.element}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        text = ", ".join(parts) + ": " + self.reason
        others = self.problem_count - 1 if hasattr(self, "problems") else 0
        if others > 0:
            text += f"; and {others} more problem{'s' if others > 1 else ''}"
        return text

    def __str__(self) -> str:
        return self._message()

    def __reduce__(self):  # keep pickling (multiprocessing) working with keyword arguments
        return (
            _rebuild,
            (self.file, self.reason, self.line, self.field, self.element, self.problems, self.more),
        )


class ProblemLog:
    """Problems as a reader finds them: the first :data:`MAX_PROBLEMS` kept, the rest only
    counted, so that a huge file with a problem on every row holds no more than that."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.more = 0

    def add(self, problem: Problem) -> None:
        """Keep ``problem``, or count it once :data:`MAX_PROBLEMS` are kept."""
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)
        else:
            self.more += 1

    def __len__(self) -> int:
        return len(self.kept) + self.more

    def refusal(self, file: str) -> SurveyFileError:
        """One :class:`SurveyFileError` for every problem added (at least one)."""
        return SurveyFileError.of_problems(file, self.kept, self.more)


def _rebuild(
    file: str,
    reason: str,
    line: int | None,
    field: str | None,
    element: str | None,
    problems: list[Problem] | None = None,
    more: int = 0,
) -> SurveyFileError:
    if problems and (len(problems) > 1 or more):
        return SurveyFileError.of_problems(file, problems, more)
    return SurveyFileError(file, reason, line=line, field=field, element=element)
