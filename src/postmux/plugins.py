"""Finding vendor plugins: a typed wrapper round pluggy's manager, and the registry.

Plugins are found through the entry-point group ``postmux``; each registers
adapter classes through :func:`~postmux.hookspecs.postmux_register_providers`.
Two plugins claiming one provider name is a configuration error naming both,
rather than one silently shadowing the other.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import pluggy

from . import hookspecs
from .adapter import Adapter
from .errors import ConfigurationError, UnknownProviderError

if TYPE_CHECKING:
    from .hosting import MediaHostFactory

__all__ = ["LISTENERS_GROUP", "PluginManager", "plugin_manager"]

LISTENERS_GROUP = "postmux.listeners"
"""Entry points of plugins that only listen (``postmux_publish_finished``), provide no vendor."""

log = logging.getLogger("postmux")


class EntryPoint(Protocol):
    """What postmux reads of an entry point: ``importlib.metadata.EntryPoint`` or :class:`_Listed`."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> str: ...

    @property
    def dist(self) -> _Versioned | None: ...  # the distribution declaring it (its version, for the tests)

    def load(self) -> Any: ...


class _Versioned(Protocol):
    """What postmux reads of an entry point's distribution: ``Distribution`` or :class:`_Metadata`."""

    @property
    def version(self) -> str: ...


_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
"""``importlib.metadata.EntryPoint.pattern``: ``module:attr [extras]``."""


class _Metadata:
    """The name and version of a distribution, read from its metadata file when first asked."""

    def __init__(self, folder: str) -> None:
        self._folder = folder
        self._headers: dict[str, str] | None = None

    @property
    def metadata(self) -> dict[str, str]:
        """The header fields (``Name``, ``Version``…): all the User-Agent and the tests read."""
        if self._headers is None:
            headers: dict[str, str] = {}
            for file in ("METADATA", "PKG-INFO"):  # importlib's order
                try:
                    with open(os.path.join(self._folder, file), encoding="utf-8") as f:
                        text = f.read()
                except FileNotFoundError:
                    continue
                for line in text.splitlines():
                    key, colon, value = line.partition(":")
                    if not line.strip() or not colon:
                        break  # the headers end at the first blank line
                    headers.setdefault(key.strip(), value.strip())
                break
            self._headers = headers
        return self._headers

    @property
    def version(self) -> str:
        return self.metadata.get("Version", "")


class _Listed:
    """An entry point read from an ``entry_points.txt`` as importlib reads it, loaded as importlib loads it.

    ``importlib.metadata`` itself costs ~17 M instructions to import (about
    2 % of ``import httpx; httpx.Client()``), and a plain publisher needs
    nothing else of it: neither here nor for its User-Agent's version.
    """

    __slots__ = ("dist", "group", "name", "value")

    def __init__(self, name: str, value: str, group: str, dist: _Metadata) -> None:
        self.name, self.value, self.group, self.dist = name, value, group, dist

    def load(self) -> Any:
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"entry point {self.name!r}: {self.value!r} is not module:attribute")
        found: Any = importlib.import_module(match.group("module"))
        for attr in filter(None, (match.group("attr") or "").split(".")):
            found = getattr(found, attr)
        return found


def _section(text: str, header: str) -> list[tuple[str, str]]:
    """The ``name = value`` pairs under ``header``, as importlib's ``Sectioned`` parser reads them."""
    pairs: list[tuple[str, str]] = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line == header
        elif inside:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


class _ImportlibMustLookError(Exception):
    """The path holds what only importlib reads: another finder, a zip file, an egg."""


def _normalised(name: str) -> str:
    """A distribution's name as importlib compares them (``Prepared.normalize``)."""
    return re.sub(r"[-_.]+", "_", name.lower())


def _distribution_folders() -> Iterator[tuple[str, str, str]]:
    """(normalised name, folder, lower-case folder name) of each distribution on ``sys.path``.

    importlib's order and precedence: the ``.dist-info`` and ``.egg-info``
    entries of each path entry in turn, the first of each name only. Raises
    :class:`_ImportlibMustLookError` where importlib would look elsewhere too.
    """
    if any(
        hasattr(finder, "find_distributions") and finder is not importlib.machinery.PathFinder
        for finder in sys.meta_path
    ):
        raise _ImportlibMustLookError
    seen: set[str] = set()
    for entry in sys.path:
        root = entry or "."
        if os.path.basename(root).lower().endswith(".egg"):
            raise _ImportlibMustLookError  # an egg's own layout
        try:
            children = os.listdir(root)
        except FileNotFoundError:
            continue  # nothing there, for importlib either
        except OSError:
            raise _ImportlibMustLookError from None  # a zip file, or unreadable
        for child in children:  # importlib's order: names by first appearance, the first of each
            low = child.lower()
            if not low.endswith((".dist-info", ".egg-info")):
                continue
            name = _normalised(low.rpartition(".")[0].partition("-")[0])
            if name not in seen:
                seen.add(name)
                yield name, os.path.join(root, child), low


def named_entry_points(group: str, name: str | None) -> list[EntryPoint]:
    """The entry points called ``name`` (``None``: every one) in ``group``, as importlib finds them.

    Making the first publisher looks up one entry point, and ``entry_points()``
    builds a distribution object and reads the metadata of every installed
    distribution to do it (16–26 ms with ~130 distributions). This reads only
    the ``entry_points.txt`` files that exist, and parses only those that
    declare ``group``. The same distributions win: the first on ``sys.path``
    of each name. Where another finder
    can provide distributions, or a path entry is a zip file, importlib looks.
    """
    header = f"[{group}]"
    marker = header.encode()
    found: list[EntryPoint] = []
    try:
        for _, folder, _ in _distribution_folders():
            try:  # read as bytes: most files do not declare the group, so most are never decoded
                with open(os.path.join(folder, "entry_points.txt"), "rb") as f:
                    data = f.read()
            except OSError:  # none, or an .egg-info file: no entry points
                continue
            if marker in data:
                dist, text = _Metadata(folder), data.decode("utf-8")
                found.extend(
                    _Listed(n, v, group, dist) for n, v in _section(text, header) if name is None or n == name
                )
    except _ImportlibMustLookError:
        return _entry_points_by_importlib(group, name)
    return found


def installed_metadata(module: str) -> _Metadata | None:
    """The metadata of the distribution named like top-level ``module``, as ``distribution(module)`` finds it.

    The first distribution on ``sys.path`` whose normalised name is
    ``module``'s, when it is a ``.dist-info``; ``None`` where there is none, or
    where importlib would look elsewhere too (another finder, a zip or an
    egg): ask importlib.
    """
    wanted = _normalised(module)
    try:
        for name, folder, low in _distribution_folders():
            if name != wanted:
                continue
            if not low.endswith(".dist-info"):
                return None  # an egg's layout: importlib reads it
            found = _Metadata(folder)
            try:
                return found if found.metadata else None  # read now: an odd one is importlib's to judge
            except OSError:
                return None
    except _ImportlibMustLookError:
        return None
    return None


def _entry_points_by_importlib(group: str, name: str | None) -> list[EntryPoint]:
    import importlib.metadata  # only where importlib must look itself (a zip, an egg, another finder)

    return [ep for ep in importlib.metadata.entry_points(group=group) if name is None or ep.name == name]


class PluginManager:
    """The plugins postmux knows, and the providers they register.

    Entry points are loaded only when needed: :meth:`get` loads the one whose
    name is the provider's (the convention: ``wahdx = "postmux_wahdx"``), and
    everything is loaded only to list providers, to resolve a name no entry
    point has, or to find emulators and media hosts. Plugins that only listen for finished
    publications use the group ``postmux.listeners``, loaded at the first
    publish.
    """

    def __init__(self, *, load_entry_points: bool = True) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._providers: dict[str, type[Adapter]] | None = None
        self._lock = threading.RLock()
        self._pending = load_entry_points
        """True while some entry point of the group may still be unloaded."""
        self._listeners_pending = load_entry_points
        self._loaded: set[tuple[str, str]] = set()
        self._looked_up: set[str] = set()
        """The names whose entry points :meth:`get` has loaded."""
        self.broken: dict[str, str] = {}
        """Entry-point name → why that plugin could not be loaded."""
        from . import builtin_hosts  # the core's own media hosts, found through the same hook

        self._pm.register(builtin_hosts, name="postmux.hosting")

    def _load(self, eps: Iterable[EntryPoint]) -> None:
        """Load each plugin on its own, so one broken plugin cannot hide the others."""
        for ep in eps:
            if (ep.name, ep.value) in self._loaded or self._pm.is_blocked(ep.name):
                continue
            self._loaded.add((ep.name, ep.value))
            try:
                plugin = ep.load()
            except Exception as exc:  # any import-time failure of third-party code
                self.broken[ep.name] = f"{type(exc).__name__}: {exc}"
                log.warning("postmux: plugin %r (%s) failed to load: %s", ep.name, ep.value, exc)
                continue
            if self._pm.is_registered(plugin):
                continue
            name = ep.name
            if self._pm.get_plugin(name) is not None:  # a second distribution with the same name
                name = f"{ep.name} ({ep.value})"
            self._pm.register(plugin, name=name)
            self._providers = None

    def load_all(self) -> None:
        """Load every entry point of the group (to list providers, or find a name by its adapter)."""
        with self._lock:
            if self._pending:
                import importlib.metadata  # listing every provider is rare: importlib's own lookup

                self._load(importlib.metadata.entry_points(group=hookspecs.PROJECT))
                self._pending = False

    def register(self, plugin: object, name: str | None = None) -> None:
        """Add a plugin object or module (for tests and apps that bundle a vendor).

        Under the lock: a list of providers another thread is making meanwhile (:meth:`get`)
        would leave this plugin out, and be kept as the current list after it was dropped here.
        """
        with self._lock:
            self._pm.register(plugin, name)
            self._providers = None

    def unregister(self, plugin: object) -> None:
        """Remove a plugin added with :meth:`register` (under the lock, as :meth:`register`)."""
        with self._lock:
            self._pm.unregister(plugin)
            self._providers = None

    def providers(self) -> dict[str, type[Adapter]]:
        """Provider name → adapter class, from every installed plugin."""
        self.load_all()
        with self._lock:
            return dict(self._registered())

    def _registered(self) -> dict[str, type[Adapter]]:
        """Provider name → adapter class, from the plugins loaded so far (lock held)."""
        if self._providers is None:
            self._providers = self._collect()
        return self._providers

    def _collect(self) -> dict[str, type[Adapter]]:
        found: dict[str, type[Adapter]] = {}
        origin: dict[str, str] = {}
        for impl in self._pm.hook.postmux_register_providers.get_hookimpls():
            plugin_name = impl.plugin_name

            def register(cls: type[Adapter], _plugin: str = plugin_name) -> None:
                if not (isinstance(cls, type) and issubclass(cls, Adapter)):
                    raise ConfigurationError(
                        f"plugin {_plugin!r} registered {cls!r}, which is not a postmux Adapter"
                    )
                name = cls.name
                if name in found and found[name] is not cls:
                    raise ConfigurationError(
                        f"provider {name!r} is claimed by two plugins: {origin[name]!r} and {_plugin!r}"
                    )
                found[name] = cls
                origin[name] = _plugin

            impl.function(register=register)
        return found

    def get(self, name: str) -> type[Adapter]:
        """The adapter class for ``name``; :class:`UnknownProviderError` lists the installed ones.

        Only the entry point named ``name`` is loaded (every one of that name,
        so two distributions claiming it are still caught); a name no entry
        point has loads them all to look further. A name's entry points are
        looked up once: a lookup walks every installed distribution (~130 files
        here, 5-8 ms), and an app may make a publisher per job.
        """
        with self._lock:
            if self._pending:
                if name not in self._looked_up:  # an app's own provider of the name is still checked
                    self._load(named_entry_points(hookspecs.PROJECT, name))
                    self._looked_up.add(name)
                found = self._registered().get(name)
                if found is not None:
                    return found
        providers = self.providers()
        try:
            return providers[name]
        except KeyError:
            if name in self.broken:
                raise ConfigurationError(
                    f"the plugin for provider {name!r} is installed but failed to load: {self.broken[name]}"
                ) from None
            raise UnknownProviderError(name, sorted(providers)) from None

    def emulators(self) -> dict[str, Any]:
        """Provider name → emulator factory, from plugins that ship one."""
        self.load_all()
        found: dict[str, Any] = {}

        def register(name: str, factory: Any) -> None:
            if name in found:
                raise ConfigurationError(f"two plugins register an emulator for {name!r}")
            found[name] = factory

        self._pm.hook.postmux_register_emulators(register=register)
        return found

    def media_hosts(self) -> dict[str, MediaHostFactory]:
        """Scheme → media host factory, from the core and every plugin that adds one."""
        self.load_all()
        found: dict[str, MediaHostFactory] = {}

        def register(scheme: str, factory: MediaHostFactory) -> None:
            if scheme in found and found[scheme] is not factory:
                raise ConfigurationError(f"two plugins register a media host for {scheme!r}")
            found[scheme] = factory

        self._pm.hook.postmux_register_media_hosts(register=register)
        return found

    @property
    def publish_finished(self) -> Callable[..., Any]:
        """The ``postmux_publish_finished`` hook caller."""
        caller: Callable[..., Any] = self._pm.hook.postmux_publish_finished
        return caller

    def has_publish_listeners(self) -> bool:
        """True when some plugin listens for finished publications (loads ``postmux.listeners`` once)."""
        if self._listeners_pending:
            with self._lock:
                if self._listeners_pending:
                    self._load(named_entry_points(LISTENERS_GROUP, None))  # at the first publish
                    self._listeners_pending = False
        return bool(self._pm.hook.postmux_publish_finished.get_hookimpls())


_default: PluginManager | None = None
_default_lock = threading.Lock()


def plugin_manager() -> PluginManager:
    """The process-wide manager; it loads entry points as they are needed."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PluginManager()
        return _default
