"""The login form shown first by every dashboard and by :func:`surveylab.connect` in notebooks.

Nothing but the form exists before a successful login: the form itself loads no data. Enter in
the password field logs in, as the "Log in" button does. On success the password field is
cleared and ``on_login(session)`` builds whatever comes next; a refusal shows in the message
line, styled as an error.
"""

from __future__ import annotations

import html
import ipaddress
import os
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import Any

import ipywidgets as w

from surveylab.auth import AuthError
from surveylab.config import ConfigError, Settings, load_settings
from surveylab.services.accounts import LOGIN_FAILED
from surveylab.session import Session

#: CSS classes of the form's widgets, for browser tests and styling.
CSS_USERNAME = "sl-login-username"
CSS_PASSWORD = "sl-login-password"
CSS_BUTTON = "sl-login-button"
CSS_MESSAGE = "sl-login-message"
CSS_FORM = "sl-login"
#: CSS classes of the message line's two kinds.
CSS_ERROR = "sl-login-error"
CSS_INFO = "sl-login-info"

# The message's look, inline: the form is also shown in notebooks, where no dashboard
# stylesheet is loaded. The error is the dashboards' error red (#b00020) on a pale ground.
_ERROR_STYLE = (
    "display:inline-block;max-width:36em;line-height:1.45;color:#b00020;background:#fdecee;"
    "border:1px solid #b00020;border-radius:3px;padding:4px 10px;margin-top:4px;font-weight:600"
)
_INFO_STYLE = "display:inline-block;max-width:36em;line-height:1.45;color:#444;margin-top:4px"


class _Committed:
    """A text field whose value the browser sends when it is committed (Enter, or leaving the
    field; ``continuous_update=False``), calling back ``on_commit`` callbacks then: only for
    what the browser sends, never for a value the kernel sets.

    One message per field and commit, not one per key: ipywidgets holds back a field's further
    updates while one is unanswered, so a click on a button could reach the kernel before the
    last keys typed into the field.
    """

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("continuous_update", False)
        super().__init__(**kwargs)  # the widget class after this one in the MRO
        self._commit_callbacks: list[Callable[[Any], None]] = []

    def on_commit(self, callback: Callable[[Any], None]) -> None:
        """Call ``callback(field)`` each time the browser sends the field's value."""
        self._commit_callbacks.append(callback)

    def set_state(self, sync_data: dict) -> None:
        """State from the browser (ipywidgets' entry point for it)."""
        # ipywidgets is untyped here (no stubs): the widget class after this one has set_state
        super().set_state(sync_data)  # type: ignore[misc]
        if "value" in sync_data:
            for callback in self._commit_callbacks:
                callback(self)


class CommittedText(_Committed, w.Text):
    """A :class:`ipywidgets.Text` sent when committed, with ``on_commit``."""


class CommittedPassword(_Committed, w.Password):
    """A :class:`ipywidgets.Password` sent when committed, with ``on_commit``."""


#: Environment variables that may hold the client's address in a dashboard kernel, in order:
#: ``REMOTE_ADDR`` (RFC 3875 section 4.1.8), and ``HTTP_X_REAL_IP``, which Voila sets from a
#: reverse proxy's ``X-Real-IP`` header when started with
#: ``--VoilaConfiguration.http_header_envs=X-Real-IP``. Voila itself tells a kernel nothing of
#: the client, so without either the address is unknown.
CLIENT_ADDRESS_VARIABLES = ("REMOTE_ADDR", "HTTP_X_REAL_IP")


def client_address_from_environment(env: Mapping[str, str] | None = None) -> str | None:
    """The client's IP address as the kernel's environment gives it, or None.

    Parameters
    ----------
    env : Mapping of str to str, optional
        The environment [variable -> text]; default ``os.environ``.

    Returns
    -------
    str or None
        The first of :data:`CLIENT_ADDRESS_VARIABLES` that holds one IP address [text]; None
        when none does (anything else in them is ignored).
    """
    env = os.environ if env is None else env
    for name in CLIENT_ADDRESS_VARIABLES:
        raw = (env.get(name) or "").strip()
        try:
            return str(ipaddress.ip_address(raw))
        except ValueError:
            continue
    return None


class LoginForm:
    """Username, password, a "Log in" button and a message line.

    Parameters
    ----------
    settings : Settings or None
        Database and token configuration; None: :func:`load_settings`.
    on_login : callable
        Called with the new :class:`Session` after a successful login.
    client_address : callable, optional
        Returns the client's IP address [text] or None, asked at each login (failed logins
        are counted per username and address); default
        :func:`client_address_from_environment`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The form: ``username`` (Text), ``password`` (Password), ``button`` (Button) and
        ``message`` (HTML), with the CSS classes ``sl-login-username``, ``sl-login-password``,
        ``sl-login-button`` and ``sl-login-message``.
    """

    def __init__(
        self,
        settings: Settings | None,
        on_login: Callable[[Session], None],
        client_address: Callable[[], str | None] = client_address_from_environment,
    ) -> None:
        self.settings = settings or load_settings()
        self.on_login = on_login
        self.client_address = client_address
        # one Layout for the form and one style per kind: every model is one more thing the
        # browser creates before the form shows (none of them changes its own)
        plain = w.Layout()
        # each field reaches the kernel once, when left or on Enter (see _Committed)
        self.username = w.Text(
            description="Username",
            continuous_update=False,
            placeholder="username",
            layout=plain,
            _dom_classes=(CSS_USERNAME,),
        )
        # Enter in the password field logs in: ipywidgets 8 sends a text field nothing on
        # Enter but its value, committed
        self.password = CommittedPassword(
            description="Password",
            placeholder="password",
            layout=plain,
            style=self.username.style,
            _dom_classes=(CSS_PASSWORD,),
        )
        self.button = w.Button(
            description="Log in",
            button_style="primary",
            icon="sign-in",
            layout=plain,
            _dom_classes=(CSS_BUTTON,),
        )
        self.button.on_click(lambda _button: self._clicked())
        self.password.on_commit(self._password_committed)
        self.username.observe(self._username_changed, names="value")
        # a login the password's commit started; the click that may have committed it (leaving
        # the field for the button) then arrives with the password already cleared
        self._committed_login = False
        self.message = w.HTML("", layout=plain, _dom_classes=(CSS_MESSAGE,))
        self.widget = w.VBox(
            [self.username, self.password, self.button, self.message],
            layout=plain,
            _dom_classes=(CSS_FORM,),
        )

    def _password_committed(self, _field: w.Text) -> None:
        """Enter in the password field (or leaving it for the button): log in."""
        if self.password.value and not self.button.disabled:
            self._committed_login = True
            self.submit()

    def _username_changed(self, _change: dict) -> None:
        self._committed_login = False

    def _clicked(self) -> None:
        """The "Log in" button. Without a password: the click that committed the password
        (the login is done) is ignored; any other asks for one, and no login is tried."""
        if not self.password.value:
            if self._committed_login:
                self._committed_login = False
                return
            self.show_message("Type your password, then press Enter or Log in.")
            return
        self.submit()

    def show_message(
        self, message: str, *, error: bool = True, link: tuple[str, str] | None = None
    ) -> None:
        """Show ``message`` under the form: a refusal (``error``) in the error style with
        ``role="alert"``, else as a plain note.

        Parameters
        ----------
        message : str
            The text [plain text; HTML-escaped here].
        error : bool
            Whether it is a refusal or failure.
        link : (str, str), optional
            A link after the text: (label [plain text], address [URL, relative to the page]).
        """
        text = html.escape(message)
        if link is not None:
            label, href = link
            text += (
                f" <a class='sl-login-link' href='{html.escape(href, quote=True)}' "
                f"style='color:#0b57d0;text-decoration:underline'>{html.escape(label)}</a>"
            )
        if error:
            self.message.value = (
                f"<div class='{CSS_ERROR}' role='alert' style='{_ERROR_STYLE}'>{text}</div>"
            )
        else:
            self.message.value = f"<div class='{CSS_INFO}' style='{_INFO_STYLE}'>{text}</div>"

    def submit(self, username: str | None = None, password: str | None = None) -> Session | None:
        """Log in with the given credentials (default: the fields' values).

        Parameters
        ----------
        username : str, optional
            The username [text]; default the username field.
        password : str, optional
            The password [text]; default the password field.

        Returns
        -------
        Session or None
            The new session, or None when the login was refused (the message then reads
            ``"invalid username or password"``). The password field is cleared either way.
        """
        name = self.username.value if username is None else username
        secret = self.password.value if password is None else password
        self.password.value = ""
        self.button.disabled = True
        with ExitStack() as held:
            try:
                # one connection for the login and what on_login reads first (the role
                # check and a dashboard's first page): on DuckDB opening it is the cost
                session = held.enter_context(
                    Session.login_kept_open(
                        name, secret, self.settings, client_address=self.client_address()
                    )
                )
            except AuthError:
                self.show_message(LOGIN_FAILED)
                return None
            except ConfigError as exc:
                self.show_message(f"login is not available: {exc}")
                return None
            except Exception as exc:  # a database that cannot be reached, busy, ...
                self.show_message(f"login is not available right now ({type(exc).__name__})")
                return None
            finally:
                self.button.disabled = False
            self.show_message(f"Signed in as {name}.", error=False)
            self.on_login(session)
        return session


def show_login_form(session: Session) -> LoginForm:
    """Display a login form (in a notebook) whose login ``session`` adopts: the session a
    notebook holds from :func:`surveylab.connect` becomes usable once the form is submitted.

    Parameters
    ----------
    session : Session
        A session not logged in yet; its settings are the form's.

    Returns
    -------
    LoginForm
        The form displayed.
    """
    from IPython.display import display  # looked up when shown (tests replace it)

    form = LoginForm(session.settings, on_login=session.adopt)
    display(form.widget)
    return form
