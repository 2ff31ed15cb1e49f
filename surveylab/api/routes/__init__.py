"""The handlers of ``/api/v1``, one module per resource. Each maps a request to one session or
service call and its result to JSON; refusals are raised and answered by :mod:`..errors`."""
