"""The vendor-neutral conformance suite, shipped with postmux: run it against any installed plugin.

From any directory, with the plugin installed (and ``pip install 'postmux[testing]'``)::

    pytest --pyargs postmux.testing --postmux-provider myvendor      # one vendor (repeatable)
    pytest --pyargs postmux.testing                                  # every installed vendor

Every case runs sync and async, against the vendor's own emulator (which the
plugin registers through ``postmux_register_emulators``), in a fresh sandbox.
Nothing in the suite names a vendor: what a vendor can do is read from its
:class:`~postmux.Capabilities` (a platform, media kind, option or operation it
lacks is checked to be refused, not asked of it), its accounts and routes from
its emulator (:attr:`~postmux.sandbox.Emulator.route_roles`).

What a vendor cannot do and :class:`~postmux.Capabilities` cannot say is
declared once, next to them, in the adapter::

    class MyAdapter(Adapter):
        capabilities = CAPABILITIES
        conformance_limits = {
            "test_every_seeded_platform_is_listed_and_a_lapsed_account_is_not_active":
                "MyVendor never lists an expired account: it unlinks it",
        }

Those cases skip with that reason (``pytest -rs`` shows it); every other case
must pass. ``--postmux-provider`` comes from postmux's pytest plugin
(``postmux.sandbox.pytest_plugin``, registered through ``pytest11``), so it is
known wherever postmux is installed. The modules here need pytest and the
``sandbox`` extra only when the suite runs; importing :mod:`postmux` never
imports them.
"""
