"""The ``kg`` command: ``main`` is the group, ``options`` what the commands share, and one
module per family of commands. Thin over the library: it may use every layer below."""
