"""One small error hierarchy. Messages say what to do next; the CLI and UI render them."""


class BriefingError(Exception):
    """Base class: `stage` tells where it happened, `hint` what to do next."""

    stage = "briefing"

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = f"[{self.stage}] {self.args[0]}"
        return f"{base}\n  → {self.hint}" if self.hint else base


class ConfigError(BriefingError):
    stage = "settings"


class DocumentError(BriefingError):
    """A corpus file is malformed. Names the file and the field."""

    stage = "load"

    def __init__(self, path, field: str, problem: str, hint: str = ""):
        self.path, self.field, self.problem = str(path), field, problem
        super().__init__(f"{path}: field '{field}': {problem}",
                         hint or "fix the front matter and run `briefing corpus check`")


class StoreError(BriefingError):
    stage = "store"


class NoIndexError(StoreError):
    """The store folder holds no index yet."""


class StoreMismatchError(StoreError):
    pass


class StoreBusyError(StoreError):
    pass


class QueryError(BriefingError):
    stage = "query"
