"""Views of signing in and out, the language switch and the account page."""
from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.auth import bp
from portal.auth.forms import InvitationForm, LanguageForm, LoginForm, PasswordChangeForm
from portal.auth.services import (accept_invitation, open_invitation, record_failure,
                                  record_success, wait_for)
from portal.database import reading
from portal.directory.services import DirectoryUnavailable, check_sign_in
from portal.extensions import db
from portal.htmx import render
from portal.kernel.audience import SIGNED_IN, audience
from portal.kernel.urls import redirect_next
from portal.models import User
from portal.passwords import dummy_verify, hash_password, upgraded_hash, verify_password


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on a good username and password.

    The reads and the password check run outside any write transaction (argon2 takes ~130 ms;
    under SQLite's write lock sign-ins would queue); a short write records the outcome. Unknown
    usernames and waiting ones cost the same check as a real one, and the wait is keyed by the
    typed username and the client address, so the answers tell nothing about which accounts exist.
    """
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        address = request.remote_addr or ""
        with reading():
            wait = wait_for(username, address)
            user = db.session.scalar(select(User).where(User.username == username))
            if user is not None:
                # Detached, it keeps the columns just read: the rollback cannot expire them, so
                # the password check below reads no row (and takes no lock) again.
                db.session.expunge(user)
            db.session.rollback()
        if wait:
            dummy_verify(form.password.data)
            form.password.errors.append(
                _("Too many failed attempts. Try again in %(seconds)d seconds.", seconds=wait))
        elif (signed := _check_sign_in(form, user)) is not None and signed.active:
            user = db.session.get(User, signed.id)
            if new_hash := upgraded_hash(user):  # made by the check, outside this write
                user.password_hash = new_hash
            record_success(user, username, address)
            session.clear()
            login_user(user)  # reads the session id before the commit expires the user
            db.session.commit()
            return redirect_next(url_for("home.index"), code=302)
        else:
            record_failure(username, address)
            db.session.commit()
            form.password.errors.append(_("Wrong username or password, or the account is inactive."))
        return render("auth/login.html", form=form, status=422,
                      cookie_dropped=_cookie_will_be_dropped())
    status = 422 if form.errors else 200
    return render("auth/login.html", form=form, status=status,
                  cookie_dropped=_cookie_will_be_dropped())


def _cookie_will_be_dropped() -> bool:
    """Whether this browser came over plain HTTP while the session cookie is Secure: it will not
    keep the cookie, and signing in would silently do nothing. A proxy that ends TLS says so in
    X-Forwarded-Proto (only a hint on this page, never a security decision)."""
    if not current_app.config.get("SESSION_COOKIE_SECURE"):
        return False
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return not (request.is_secure or forwarded == "https")


def _check_sign_in(form: LoginForm, user: User | None) -> User | None:
    """The account the typed credentials sign in to (local password or the company directory);
    a directory outage gets the usual failure plus a notice on the form, never its details."""
    try:
        return check_sign_in(user, form.username.data.strip(), form.password.data)
    except DirectoryUnavailable:
        form.directory_down = True
        return None


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out for good: the session version moves on, so a copy of this cookie is refused too.

    That ends the person's other sessions as well (the price of a stateless cookie)."""
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        user.session_version += 1
        db.session.commit()
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/language", methods=["POST"])
def language():
    """Switch the UI language; remembered on the account, or in the session before sign-in."""
    form = LanguageForm()
    form.locale.choices = list(current_app.config["LANGUAGES"].items())
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
    return redirect_next(url_for("home.index"))


@bp.route("/account", methods=["GET", "POST"])
@audience(SIGNED_IN)
def account():
    """The person's own account: change the password (which ends their other sessions)."""
    form = PasswordChangeForm()
    form.policy_user = current_user
    if form.validate_on_submit():
        if not verify_password(current_user, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.new.data)
            user.session_version += 1
            db.session.commit()
            login_user(user)  # keep this session, under the new version
            flash(_("Your password has been changed; your other sessions have ended."), "success")
            return redirect(url_for("auth.account"), code=303)
    status = 422 if form.errors else 200
    return render("account/index.html", form=form, status=status)


@bp.route("/invite/<invite_token>", methods=["GET", "POST"])
def invitation(invite_token: str):
    """A new person's invitation link: choose the first password (once, before it expires)."""
    invite = open_invitation(invite_token)
    if invite is None:
        return render("auth/invitation.html", form=None, person=None, status=404)
    form = InvitationForm()
    if form.validate_on_submit():
        user = accept_invitation(invite, form.new.data)
        db.session.commit()
        flash(_("Your password is set. Sign in with your username %(name)s.", name=user.username),
              "success")
        return redirect(url_for("auth.login"), code=303)
    return render("auth/invitation.html", form=form, person=invite.user,
                  status=422 if form.errors else 200)
