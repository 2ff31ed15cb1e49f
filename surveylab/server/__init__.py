"""Serving the surfaces over HTTP: the guards every server of ``surveylab serve`` shares.

- :mod:`~surveylab.server.hosts`: the Host allow-list (pure; any HTTP server applies it);
- :mod:`~surveylab.server.notices`: what the server tells a dashboard kernel (session ended,
  a second connection refused), shared with :mod:`surveylab.ui.shell`;
- :mod:`~surveylab.server.kernels`: the dashboards' kernels: a cap, connect and idle time-outs,
  one page per kernel;
- :mod:`~surveylab.server.voila_app`: Voila configured and extended with the above
  (``python -m surveylab.server DIR --port P``);
- :mod:`~surveylab.server.supervisor`: runs the server processes of ``surveylab serve``
  together and stops them together.

Importing this package imports nothing else: the dashboards' kernels import
:mod:`~surveylab.server.notices` without loading the Jupyter server.
"""
