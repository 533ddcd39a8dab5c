"""``fakevendor/`` is a project of its own (a third party's plugin): this suite runs it, never collects it."""

collect_ignore = ["fakevendor"]
