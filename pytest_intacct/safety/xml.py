"""The one way this project parses XML it did not write: gateway answers, simulator requests."""

from __future__ import annotations

from lxml import etree


def hardened_parser(*, recover: bool = False) -> etree.XMLParser:
    """No entity expansion, no network, no DTD loading: hostile input cannot reach files or blow up."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )
