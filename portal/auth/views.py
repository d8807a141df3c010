"""Views of signing in and out, the language switch and the account page."""
from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.kernel.audience import SIGNED_IN, audience
from portal.auth import bp
from portal.directory.services import DirectoryUnavailable, check_sign_in
from portal.auth.forms import InvitationForm, LanguageForm, LoginForm, PasswordChangeForm
from portal.auth.services import accept_invitation, open_invitation
from portal.extensions import db
from portal.htmx import render
from portal.models import User
from portal.passwords import (hash_password, locked_for, record_failure, record_success,
                              verify_password)
from portal.kernel.urls import redirect_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in on a good username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.username == form.username.data.strip()).with_for_update()
        )
        wait = locked_for(user) if user else 0
        if wait:
            form.password.errors.append(
                _("Too many failed attempts. Try again in %(seconds)d seconds.", seconds=wait))
        elif (signed := _check_sign_in(form, user)) is not None and signed.active:
            user = signed
            record_success(user)
            db.session.commit()
            session.clear()
            login_user(user)
            return redirect_next(url_for("home.index"), code=302)
        else:
            if user is not None:
                record_failure(user)
                db.session.commit()
            form.password.errors.append(_("Wrong username or password, or the account is inactive."))
        return render("auth/login.html", form=form, status=422)
    status = 422 if form.errors else 200
    return render("auth/login.html", form=form, status=status)


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
    """Sign out and forget the session."""
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
