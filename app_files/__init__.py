"""The app's handling of files, for every entity type to reuse.

A VIKTOR app is stateless, so a file is one of three kinds, and each has a module here:

- bundled files ship with the app and are found from the code's own location: the controller
  shows how (``Path(__file__).parent``), and ``tools/check_paths`` checks it;
- ``uploaded``: an upload (``FileField``) received as untrusted bytes, within limits, with its
  content key (``content_key``);
- ``stored``: a result computed from an upload once and reused by later jobs, kept in a store
  (``stores``: VIKTOR Storage in the app, a folder on the command line) and checked when read
  (``checked_json``).

``viktor_jobs`` joins them for a controller: an upload in, a ``vkt.UserError`` out when it cannot
be used; ``progress`` tells the user where a long job is, and ``deadline`` keeps a slow VIKTOR
from holding a job up. Nothing but ``viktor_jobs`` and ``stores.ViktorStore`` imports the VIKTOR
SDK, so a command line and the tests run the rest as plain Python.
"""
