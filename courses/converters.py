class ProcedureCodeConverter:
    """A procedure code as in the national database (``1.001193``, ``2.000986.000.00.00.H12``).

    Codes start with a digit, so the word paths others add to ``courses.urls`` never collide.
    """

    regex = r"[0-9][0-9A-Za-z.\-]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
