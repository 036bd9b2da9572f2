"""What the unit tests share around botocore's Stubber."""

from __future__ import annotations


def sent(client) -> list[str]:
    """The operations ``client`` sends from now on, by name (``DescribeServices``), in order: the list fills as they go.

    The modules do not count their own calls; the tests count them here, on the real client the Stubber answers."""
    names: list[str] = []
    client.meta.events.register("before-parameter-build", lambda model, **_kwargs: names.append(model.name))
    return names
