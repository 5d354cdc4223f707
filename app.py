"""The app's entry point: VIKTOR imports this file and finds the controller in it.

An editor app has one entity type, whose controller is imported here as ``Controller``. Its code
lives in the folder named in the import: rename the folder and this import, and nothing else.
"""

from entity_type_a.controller import Controller

__all__ = ["Controller"]
