"""The app's entry point: VIKTOR imports this file and finds the controller in it.

An editor app has one entity type; its code lives in the folder ``entity_type_a``.
"""

from entity_type_a.controller import Controller

__all__ = ["Controller"]
