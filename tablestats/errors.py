"""The one exception the logic raises for bad input."""


class UploadError(ValueError):
    """An upload that cannot be used.

    The message is written for the person who uploaded the file: it says what is wrong and what to
    do about it. The controller shows it as a ``vkt.UserError``; the command line prints it and
    exits with status 2.
    """
