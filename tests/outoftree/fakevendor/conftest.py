"""The plugin's own pytest configuration: nothing but what its pyproject's addopts say.

``pytest`` here runs ``postmux.testing`` (the suite installed with postmux)
against ``fakevendor``; ``--postmux-provider`` comes from postmux's pytest
plugin, so no import is needed for it.
"""
