"""A report kernel kept running for many report notebooks (``surveylab report-batch``).

Starting a kernel is most of a short report's time (bench/RESULTS.md, Reports: papermill on an
empty notebook takes about 1 s, the survey report 1.1 s). :class:`WarmKernel` starts one kernel
(with :data:`surveylab.reports.render.KERNEL_ARGUMENTS`) and papermill executes each notebook in
it through the ``surveylab-warm`` engine, an nbclient engine that is handed the running kernel
manager instead of starting a kernel (nbclient keeps a kernel it does not own running, see
``NotebookClient.owns_km``). Papermill still parameterises and executes every cell of each
notebook; before each one the kernel's namespace is cleared (IPython's ``%reset -f``, imported
modules stay loaded) and its working folder and environment are set for that report by a silent
execution that is not part of the notebook.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from surveylab.services import ServiceError

#: The papermill engine that runs notebooks in a kernel already started.
ENGINE_NAME = "surveylab-warm"
#: How long the kernel may take to start or to answer the preparation [s].
START_TIMEOUT_S = 60.0


class WarmKernelError(ServiceError):
    """The warm kernel could not be started or prepared for a notebook."""


def _register_engine() -> None:
    """Register :data:`ENGINE_NAME` with papermill (once per process)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if ENGINE_NAME in papermill_engines._engines:
        return

    class WarmEngine(NBClientEngine):
        """nbclient on a running kernel (``km``) through its running client (``kc``)."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: float = START_TIMEOUT_S,
            execution_timeout: float | None = None,
            **kwargs: Any,
        ) -> Any:
            kc = kwargs.pop("kc")
            kwargs = remove_args(["input_path"], **kwargs)
            safe = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                safe,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final)
            # the warm kernel's own client: nbclient starts (and waits for) a client only when
            # it has none, and leaves the kernel and the client of a manager it does not own
            client.kc = kc
            return client.execute()

    papermill_engines.register(ENGINE_NAME, WarmEngine)


class WarmKernel:
    """One report kernel that executes many report notebooks, one after the other.

    Use it from one thread only (its kernel manager belongs to that thread's event loop), and
    close it in the same thread.

    Parameters
    ----------
    token : str
        Access token of the user running the reports [compact JWT text]; given to the kernel
        through its environment (never as a notebook parameter).
    """

    def __init__(self, token: str) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        from surveylab.reports.render import KERNEL_ARGUMENTS

        _register_engine()
        self._run_sync = run_sync
        self.token = token
        self._manager = lambda: AsyncKernelManager(kernel_name="python3")
        self.km = self._manager()
        self.notebooks = 0
        self._start(list(KERNEL_ARGUMENTS))

    def _start(self, arguments: list[str]) -> None:
        env = {**os.environ, "SURVEYLAB_TOKEN": self.token}
        try:
            self._run_sync(self.km.start_kernel)(extra_arguments=arguments, env=env)
            # one client for papermill (asynchronous, as nbclient's own) and one for the
            # preparation between notebooks
            self.async_kc = self.km.client()
            self.async_kc.start_channels()
            self._run_sync(self.async_kc.wait_for_ready)(timeout=START_TIMEOUT_S)
            self.kc = self.km.blocking_client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=START_TIMEOUT_S)
        except Exception as exc:
            raise WarmKernelError(f"the report kernel did not start: {exc}") from None
        self._arguments = arguments

    def alive(self) -> bool:
        """Whether the kernel process still runs."""
        return bool(self._run_sync(self.km.is_alive)())

    def _prepare(self, variables: dict[str, str], cwd: Path) -> None:
        """Set the working folder and environment variables, then clear the namespace."""
        if not self.alive():  # a notebook ended the kernel: a new manager starts a new one
            self.kc.stop_channels()
            self.async_kc.stop_channels()
            try:
                self._run_sync(self.km.cleanup_resources)()
            except Exception:  # what is left of the dead kernel is not this one's business
                pass
            self.km = self._manager()
            self._start(self._arguments)
        # into the new folder first: IPython's reset reads the working folder, and the last
        # report's folder is gone
        code = (
            "import os as _sl_os\n"
            f"_sl_os.chdir({str(cwd)!r})\n"
            f"_sl_os.environ.update({variables!r})\n"
            "del _sl_os\n"
            "%reset -f\n"
            # cells count from 1 in each notebook, as in a new kernel (errors name the cell)
            "get_ipython().execution_count = 1\n"
        )
        try:
            reply = self.kc.execute_interactive(
                code,
                silent=True,
                store_history=False,
                timeout=START_TIMEOUT_S,
                output_hook=lambda _msg: None,
            )
        except TimeoutError:
            raise WarmKernelError("the report kernel did not answer its preparation") from None
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise WarmKernelError(f"preparing the report kernel failed: {c.get('evalue')}")

    def execute(
        self,
        template: Path,
        parameters: dict[str, Any],
        workdir: Path,
        content: Path | None = None,
    ) -> Path:
        """Execute ``template`` with papermill in this kernel; the executed notebook's path.

        Parameters
        ----------
        template : Path
            The report notebook [path].
        parameters : dict
            Its papermill parameters.
        workdir : Path
            Folder the executed notebook is written to and the kernel works in [path].
        content : Path, optional
            Where the report's sections are being prepared
            (:mod:`surveylab.reports.content`) [path].

        Raises
        ------
        ReportError
            A cell failed (its execution count, exception name and message).
        WarmKernelError
            The kernel could not be prepared.
        """
        import papermill

        from surveylab.reports import content as report_content
        from surveylab.reports.render import ReportError

        variables = {"SURVEYLAB_TOKEN": self.token}
        variables[report_content.ENV_CONTENT] = str(content) if content is not None else ""
        self._prepare(variables, workdir)
        out = workdir / f"executed_{template.name}"
        try:
            papermill.execute_notebook(
                str(template),
                str(out),
                parameters=parameters,
                engine_name=ENGINE_NAME,
                kernel_name="python3",
                km=self.km,
                kc=self.async_kc,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                # no cwd: papermill would change this process's working folder, which other
                # threads share; the kernel was moved into ``workdir`` above
            )
        except papermill.PapermillExecutionError as exc:
            raise ReportError(
                f"report notebook {template.name} failed in cell {exc.exec_count}: "
                f"{exc.ename}: {exc.evalue}"
            ) from None
        self.notebooks += 1
        return out

    def close(self) -> None:
        """Stop the kernel (from the thread that made it)."""
        from jupyter_core.utils import ensure_event_loop

        try:
            self.kc.stop_channels()
            self.async_kc.stop_channels()
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # a kernel already gone is closed
            pass
        # this thread's event loop, made for the kernel's manager (a new one is made on the
        # next use); one that is running belongs to someone else in this thread (an
        # application's own loop), and stays
        loop = ensure_event_loop()
        if not loop.is_running():
            loop.close()
