"""``import postmux`` and one plain publisher load only what that publisher needs (issue 15's start-up).

Each check runs in a fresh interpreter: the modules a program imported are
only visible before anything else has imported them. Modules httpx imports
itself (rich and click, when httpx's command line is installed) are not
postmux's doing, so each check subtracts what ``import httpx`` alone loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import postmux

# Never loaded by a plain sync publisher without a ledger: the sandbox and its web stack, the
# command line and its terminal libraries, cattrs before a converter's first use, asyncio and the
# async publisher, the SQL ledgers, the vendor comparison and the
# request preview (only ``preview()`` needs it); importlib.metadata (entry points and the
# User-Agent's versions are read from the .dist-info files themselves), the credentials'
# worker pool, the portability report, TikTok's creator-info reader, and account linking (the
# core's connect sessions and Wahdx's QR login); settling unknowns (the core's reconcile code),
# media hosting (without a host), the account classes (without an ``@username`` target) and the
# credential sources' module (without a source).
MUST_NOT = (
    "starlette",
    "uvicorn",
    "cattrs",
    "rich",
    "click",
    "asyncio",
    "sqlite3",
    "psycopg",
    "postmux.sandbox",
    "postmux.cli",
    "postmux.async_publisher",
    "postmux.ledger.sqlite",
    "postmux.ledger.postgres",
    "postmux.comparison",
    "postmux.preview",
    "importlib.metadata",
    "concurrent.futures",
    "postmux.portable",
    "postmux.creator",
    "postmux.connect",
    "postmux_wahdx.qr",
    "postmux.reconcile",
    "postmux.hosting",
    "postmux.accounts",
    "postmux.credentials",
)

# The first publish itself (its User-Agent, the publish listeners' entry points) still needs none
# of these; cattrs comes with the first answer read, so it is not among them.
FIRST_PUBLISH_MUST_NOT = (
    "importlib.metadata",
    "concurrent.futures",
    "asyncio",
    "postmux.portable",
    "postmux.connect",
    "postmux_wahdx.qr",
    "postmux.reconcile",
    "postmux.hosting",
    "postmux.accounts",
    "postmux.credentials",
)

FIRST_PUBLISH = """
import httpx, postmux
answer = {"success": True, "status": "PUBLISH_COMPLETE", "data": {"publish_id": "p1", "public_post_url": "https://x/p"}}
seen = []
def handler(request):
    seen.append(request.headers["user-agent"])
    return httpx.Response(200, json=answer)
pub = postmux.publisher("wahdx", api_key="sk_x", transport=httpx.MockTransport(handler))
target = postmux.Target("tiktok", "acc-1")
post = postmux.Post(text="hi", media=["https://cdn.example.com/a.mp4"], targets=[target])
assert pub.publish(post).ok
assert seen[0].startswith("postmux/") and " postmux-wahdx/" in seen[0], seen
pub.close()
"""


def modules_after(code: str) -> set[str]:
    """The modules in ``sys.modules`` after ``code`` ran in a fresh interpreter."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTMUX_", "WAHDX_"))}
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env)
    return set(json.loads(out.stdout.splitlines()[-1]))


def forbidden(loaded: set[str]) -> list[str]:
    """The modules of ``MUST_NOT`` (or below them) in ``loaded``."""
    return sorted(m for m in loaded if any(m == bad or m.startswith(bad + ".") for bad in MUST_NOT))


def test_a_plain_publisher_imports_nothing_it_does_not_need() -> None:
    httpx_alone = modules_after("import httpx\nhttpx.Client().close()")
    ours = modules_after("import postmux\npostmux.publisher('wahdx', api_key='sk_x').close()")
    assert "postmux_wahdx" in ours  # the publisher was really made
    assert forbidden(ours - httpx_alone) == []


def test_the_first_publish_imports_none_of_them_either() -> None:
    """Nothing above was only moved to the first publish: it sends (User-Agent with the plugin's
    version included) and tells the listeners without them."""
    httpx_alone = modules_after("import httpx\nhttpx.Client().close()")
    ours = modules_after(FIRST_PUBLISH)
    assert "cattrs" in ours  # the answer was really read
    assert sorted(m for m in ours - httpx_alone if m in FIRST_PUBLISH_MUST_NOT) == []


def test_the_check_sees_a_forbidden_import() -> None:
    """The same check fails when the program does import one of them (the test can fail)."""
    httpx_alone = modules_after("import httpx")
    ours = modules_after("import postmux\npostmux.async_publisher('wahdx', api_key='sk_x')\nimport cattrs")
    assert {"asyncio", "cattrs", "postmux.async_publisher"} <= set(forbidden(ours - httpx_alone))


def test_cattrs_comes_with_a_converters_first_use() -> None:
    ours = modules_after(
        "import postmux\npostmux.publisher('wahdx', api_key='sk_x')\n"
        "from postmux.wire import base_converter\nbase_converter().structure({}, dict)"
    )
    assert "cattrs" in ours


def test_every_public_name_imports_and_is_the_modules_own() -> None:
    for name in postmux.__all__:
        assert getattr(postmux, name) is not None, name
    names = ", ".join(postmux.__all__)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from postmux import {names}\nimport postmux\nprint(callable(postmux.publisher))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == "True"
    assert postmux.Publisher is __import__("postmux.publisher", fromlist=["Publisher"]).Publisher
    assert sorted(set(postmux.__all__) - set(dir(postmux))) == []


def test_importing_the_submodules_first_keeps_the_functions() -> None:
    """``postmux.publisher`` and ``postmux.async_publisher`` are functions even after their namesake
    submodules are imported lazily (a submodule's import binds it on its package)."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import postmux.async_publisher, postmux.publisher, postmux\n"
            "print(callable(postmux.publisher), callable(postmux.async_publisher))",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert out.stdout.split() == ["True", "True"]


def test_the_names_moved_off_the_path_are_still_where_they_were() -> None:
    """The eighth pass moved a few names so a publisher need not load their old modules."""
    from postmux import accounts, builtin_hosts, credentials, environment, flow, hosting, secrets, status

    assert accounts.AccountStatus is status.AccountStatus is postmux.AccountStatus
    assert hosting.MEDIA_HOST_ENV == environment.MEDIA_HOST_ENV == "POSTMUX_MEDIA_HOST"
    assert hosting.postmux_register_media_hosts is builtin_hosts.postmux_register_media_hosts
    assert (credentials.ACCOUNT, credentials.TOKEN, credentials.REFRESHED) == (
        flow.ACCOUNT,
        flow.TOKEN,
        flow.REFRESHED,
    )
    assert credentials.NO_KEY is secrets.NO_KEY


CLASS_MAKING = """
import json, linecache, sys
import postmux
postmux.publisher("wahdx", api_key="sk_x").close()
compiled = {
    name.split()[-1].rstrip(">"): [w for w in ("__eq__", "__hash__", "__repr__") if f"def {w}(" in str(e[2])]
    for name, e in linecache.cache.items()
    if name.startswith("<attrs generated methods postmux")
}
tuples = sorted(
    f"{m}.{v.__qualname__}"
    for m, module in list(sys.modules.items())
    if m.startswith("postmux")
    for v in vars(module).values()
    if isinstance(v, type) and issubclass(v, tuple) and hasattr(v, "_fields") and v.__module__ == m
)
print(json.dumps([compiled, tuples]))
"""

# What is left of the NamedTuples a publisher defines (each ~0.5-1.4 M instructions at import): the
# platforms' rules, the converter's overrides and the ledger's records. The plan's steps, a
# download's records, the environment's answer, the error envelope and the account fields are
# postmux._record classes now.
KNOWN_TUPLES = {
    "postmux.ledger.base.LedgerEntry",
    "postmux.ledger.base.Owner",
    "postmux.rules.PlatformRules",
    "postmux.rules.TextLimit",
    "postmux.wire.Override",
}


def test_a_publisher_compiles_no_repr_eq_or_hash_and_defines_no_new_named_tuple() -> None:
    """attrs compiles only ``__init__`` for the core's and Wahdx's classes (their repr, eq and hash are
    shared: postmux._repr, postmux._eq), and no NamedTuple beyond the known ones is defined."""
    script = CLASS_MAKING
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTMUX_", "WAHDX_"))}
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env)
    compiled, tuples = json.loads(out.stdout.splitlines()[-1])
    assert "postmux.results.Publication" in compiled
    assert "postmux_wahdx.wire.PublishBody" in compiled
    assert {name: methods for name, methods in compiled.items() if methods} == {}
    assert set(tuples) <= KNOWN_TUPLES
    assert "postmux.rules.PlatformRules" in tuples  # the check sees a NamedTuple where there is one
